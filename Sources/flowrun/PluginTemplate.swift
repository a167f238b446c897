import Foundation
import FlowKit

/// The files `flowrun plugin new NAME` writes.
enum PluginTemplate {
    /// This checkout's FlowKit, found from where flowrun was built.
    static var defaultFlowKitPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FlowKit").path
    }

    static func files(name: String, flowKitPath: String) -> [(String, String)] {
        let type = name.lowercased() + ".label"
        return [
            ("Package.swift", packageManifest(name: name, flowKitPath: flowKitPath)),
            ("Sources/\(name)/\(name)Node.swift", nodeSource(name: name, type: type)),
            ("Sources/\(name)/PluginEntry.swift", pluginEntry(name: name)),
            ("Tests/\(name)Tests/\(name)NodeTests.swift", nodeTests(name: name)),
            ("example.yaml", exampleGraph(name: name, type: type)),
            ("README.md", readme(name: name, type: type)),
        ]
    }

    /// The package: FlowKit as a dynamic dependency, so flowrun and the plugin share one copy.
    private static func packageManifest(name: String, flowKitPath: String) -> String {
        """
        // swift-tools-version:6.1
        // A flowrun plugin. It depends on FlowKit's dynamic product so that it shares flowrun's
        // one libFlowKit.so; never link FlowKit statically.
        import PackageDescription

        let package = Package(
            name: "\(name)",
            products: [.library(name: "\(name)", type: .dynamic, targets: ["\(name)"])],
            dependencies: [.package(name: "FlowKit", path: "\(flowKitPath)")],
            targets: [
                .target(name: "\(name)", dependencies: [.product(name: "FlowKit", package: "FlowKit")]),
                .testTarget(name: "\(name)Tests", dependencies: ["\(name)", .product(name: "FlowKit", package: "FlowKit")]),
            ]
        )

        """
    }

    /// A pass-through node to replace with the real one.
    private static func nodeSource(name: String, type: String) -> String {
        """
        import FlowKit

        /// Passes packets through and stamps them with a label in their metadata. Replace with your node.
        public final class \(name)Node: Node {
            public static let contract = NodeContract(
                type: "\(type)",
                summary: "Stamps every packet with a label (from the \(name) plugin).",
                inputs: [PortSpec("in", .any, doc: "anything")],
                outputs: [PortSpec("out", .any, doc: "the same packet, labelled")],
                params: [ParamSpec("label", .string, default: .string("\(name.lowercased())"), doc: "written to meta[\\"label\\"]")])

            private let label: String

            public init(context: NodeContext) throws { label = context.params.string("label") }

            public func process(_ packet: Packet, port: String, _ io: NodeIO) throws {
                var out = packet
                out.meta["label"] = label
                try io.emit("out", out)
            }
        }

        """
    }

    /// The C entry points flowrun's plugin loader looks up.
    private static func pluginEntry(name: String) -> String {
        """
        import FlowKit

        // The entry points flowrun looks for. The FlowKit version is compiled in, so a flowrun with an
        // incompatible FlowKit refuses this plugin with a message instead of misbehaving.

        @_cdecl("flowrun_plugin_flowkit_version")
        public func flowrunPluginFlowKitVersion() -> UnsafePointer<UInt8> { FlowKitABI.builtAgainst.utf8Start }

        @_cdecl("flowrun_plugin_flowkit_instance")
        public func flowrunPluginFlowKitInstance() -> UnsafeRawPointer { FlowKitABI.instanceToken }

        @_cdecl("flowrun_plugin_register")
        public func flowrunPluginRegister(_ registrar: UnsafeMutableRawPointer) -> Int32 {
            PluginRegistrar.register([\(name)Node.self], with: registrar)
        }

        """
    }

    /// A NodeHarness test of the node alone.
    private static func nodeTests(name: String) -> String {
        """
        import XCTest
        import FlowKit
        @testable import \(name)

        final class \(name)NodeTests: XCTestCase {
            func testStampsTheLabel() throws {
                let harness = try NodeHarness(\(name)Node.self, params: ["label": .string("hello")])
                try harness.feed("in", position: 0, 42)
                XCTAssertEqual(harness.outputs("out").first?.meta["label"], "hello")
                XCTAssertEqual(try harness.payloads("out", as: Int.self), [42])
            }
        }

        """
    }

    /// A graph that loads the built plugin.
    private static func exampleGraph(name: String, type: String) -> String {
        """
        # example: the \(name) plugin's node between a counter and a logging sink.
        version: 1
        name: \(name.lowercased())-example
        plugins: [.build/release/lib\(name).so]
        nodes:
          count: { type: source.counter, count: 5 }
          stamp: { type: \(type), label: demo, inputs: { in: count.value } }
          show: { type: sink.collect, log: true, inputs: { in: stamp.out } }

        """
    }

    /// How to build, test and use the plugin.
    private static func readme(name: String, type: String) -> String {
        """
        # \(name): a flowrun plugin

        Built against FlowKit \(FlowKitABI.version).

            swift build -c release        # builds .build/release/lib\(name).so
            swift test                    # runs the node alone in a NodeHarness
            flowrun example.yaml          # the graph names the plugin under `plugins:`
            flowrun nodes --plugin .build/release/lib\(name).so \(type)

        After upgrading flowrun, rebuild: flowrun refuses a plugin built with another FlowKit major.minor.

        """
    }
}
