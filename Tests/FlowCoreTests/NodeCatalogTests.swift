import XCTest
import FlowCore
import FlowKit
import BuiltinNodes

/// The built-in catalog follows the rules of docs/nodes.md: type names `family.role`, classes named after
/// them, unique names, contracts whose typed ports agree with their declared port types.
final class NodeCatalogTests: XCTestCase {
    /// `vae.decoder` -> `VAEDecoderNode`, `source.counter` -> `SourceCounterNode`.
    static func className(forType type: String) -> String {
        let acronyms = ["vae": "VAE", "kv": "KV"]
        let words = type.split(whereSeparator: { $0 == "." || $0 == "_" }).map(String.init)
        return words.map { acronyms[$0] ?? $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Node"
    }

    func testTypeNamesAreFamilyDotRoleInLowerCase() {
        for t in BuiltinNodes.types {
            let name = t.contract.type
            XCTAssertNotNil(name.wholeMatch(of: /[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*/), "'\(name)' is not family.role in lower case")
        }
    }

    func testClassNamesFollowTheTypeNames() {
        for t in BuiltinNodes.types {
            XCTAssertEqual(String(describing: t), Self.className(forType: t.contract.type), "class of '\(t.contract.type)'")
        }
    }

    func testTypeNamesAreUnique() {
        let names = BuiltinNodes.types.map { $0.contract.type }
        XCTAssertEqual(names.count, Set(names).count, "duplicates: \(Dictionary(grouping: names, by: { $0 }).filter { $1.count > 1 }.keys.sorted())")
    }

    /// A typed port's declared port type is a spelling of its payload's (same kind and element type).
    func testTypedPortsAgreeWithTheirPayloads() {
        for t in BuiltinNodes.types {
            for port in t.contract.inputs + t.contract.outputs {
                guard let payload = port.payload else { continue }
                XCTAssertEqual(port.type.kind, payload.portType.kind, "\(t.contract.type).\(port.name)")
                XCTAssertEqual(port.type.element, payload.portType.element, "\(t.contract.type).\(port.name)")
            }
        }
    }

    /// Every output of a built-in that is not a pass-through (`.any`) says what Swift type it carries.
    func testEveryTypedKindOfOutputNamesItsPayload() {
        for t in BuiltinNodes.types {
            for port in t.contract.outputs where port.type.kind != "any" {
                XCTAssertNotNil(port.payload, "\(t.contract.type).\(port.name) (\(port.type)) has no payload type")
            }
        }
    }

    func testRegisteringAnotherTypeUnderATakenNameFailsNamingBoth() {
        final class Impostor: Node {
            static let contract = NodeContract(type: "denoiser.block", summary: "not the real one")
            init(context: NodeContext) throws {}
        }
        BuiltinNodes.register()
        XCTAssertThrowsError(try NodeRegistry.shared.register(Impostor.self, origin: "/tmp/libImpostor.so")) { error in
            XCTAssertEqual("\(error)", "node type 'denoiser.block' from /tmp/libImpostor.so is already registered by built-in")
        }
        XCTAssertNoThrow(try NodeRegistry.shared.register(BuiltinNodes.types[0], origin: "built-in"),
                         "the same type again is harmless")
    }
}
