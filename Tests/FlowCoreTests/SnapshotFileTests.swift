import Foundation
import XCTest
import FlowKit
@testable import FlowCore

/// The snapshot file (Schemas/snapshot.proto): what is written is read back exactly, and a truncated,
/// corrupt or hostile file is refused with the record and byte offset, never a crash.
final class SnapshotFileTests: XCTestCase {
    static func sample() -> SessionSnapshot {
        var a = NodeState()
        a.ints["block"] = 7
        a.ints["negative"] = -123_456_789_012
        a.doubles["alpha"] = 0.999
        a.strings["prompt.text"] = "a red circle — über"
        a.tensors["f32"] = Tensor(shape: [2, 3], values: [1, -2, 3.5, .infinity, -0.0, 6])
        a.tensors["i8"] = Tensor(shape: [4], dtype: .i8, fillBytes: { out in for i in 0..<4 { out[i] = UInt8(bitPattern: Int8(i * 40 - 80)) } })
        a.tensors["u8"] = Tensor(shape: [3, 1], dtype: .u8, fillBytes: { out in for i in 0..<3 { out[i] = UInt8(250 + i) } })
        a.tensors["empty"] = Tensor(zeros: [0, 5])
        a.framesDone = 84
        var b = NodeState()
        b.ints["generation"] = 2
        let identity = SessionSnapshot.Identity(
            graphName: "g", nodes: [.init(id: "gen/denoise", type: "denoiser.block", params: ["seed=0", "steps=[1000, 750]"]),
                                    .init(id: "prompts", type: "prompt.source", params: ["text=hi"])],
            edges: ["prompts.prompt -> gen/denoise.text"],
            models: [.init(node: "gen/denoise", param: "model", path: "../Models/world-tiny", digest: "00ff00ff00ff00ff")])
        return SessionSnapshot(writer: "test", graphFile: "/g.yaml", identity: identity, framesDone: 84,
                               nodes: [.init(id: "gen/denoise", type: "denoiser.block", state: a),
                                       .init(id: "prompts", type: "prompt.source", state: b)])
    }

    func testWhatIsWrittenIsReadBackExactly() throws {
        let original = Self.sample()
        let file = Fixtures.temporaryDirectory().appendingPathComponent("s.pb").path
        _ = try SnapshotEncoding.write(original, to: file)
        let read = try SnapshotDecoding.read(file)
        XCTAssertEqual(read.identity, original.identity)
        XCTAssertEqual(read.framesDone, 84)
        XCTAssertEqual(read.writer, "test")
        XCTAssertEqual(read.graphFile, "/g.yaml")
        XCTAssertEqual(read.nodes.map(\.id), ["gen/denoise", "prompts"])
        let a = try XCTUnwrap(read.state(of: "gen/denoise")), b = try XCTUnwrap(read.state(of: "prompts"))
        let want = original.nodes[0].state
        XCTAssertEqual(a.ints, want.ints)
        XCTAssertEqual(a.doubles, want.doubles)
        XCTAssertEqual(a.strings, want.strings)
        XCTAssertEqual(a.framesDone, 84)
        XCTAssertEqual(Set(a.tensors.keys), Set(want.tensors.keys))
        for (key, t) in want.tensors {
            let r = try XCTUnwrap(a.tensors[key])
            XCTAssertEqual(r.dtype, t.dtype, key)
            XCTAssertEqual(r.shape, t.shape, key)
            XCTAssertEqual(r.withUnsafeBytes { Array($0) }, t.withUnsafeBytes { Array($0) }, key)
        }
        XCTAssertEqual(b.ints, ["generation": 2])
        XCTAssertNil(b.framesDone)
        // The write is atomic: nothing but the snapshot is left in the folder.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: (file as NSString).deletingLastPathComponent), ["s.pb"])
    }

    /// Every prefix of a snapshot is refused, each with the record and offset where the file ends.
    func testEveryTruncationIsRefusedWithRecordAndOffset() throws {
        let bytes = try SnapshotEncoding.encode(Self.sample())
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try SnapshotDecoding.decode(Array(bytes[..<length]), file: "s.pb"), "prefix of \(length) bytes") { error in
                let e = error as? SnapshotFileError
                XCTAssertNotNil(e, "\(error)")
                XCTAssertTrue("\(error)".hasPrefix("s.pb: not a usable snapshot: "), "\(error)")
                if length >= 8 { XCTAssertNotNil(e?.record, "\(error)") }
                XCTAssertLessThanOrEqual(e?.offset ?? .max, length, "\(error)")
            }
        }
    }

    /// Any single changed byte is caught (a structural error, or the trailer's digest).
    func testEverySingleByteChangeIsRefused() throws {
        let bytes = try SnapshotEncoding.encode(Self.sample())
        for i in bytes.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = bytes
                damaged[i] ^= mask
                XCTAssertThrowsError(try SnapshotDecoding.decode(damaged, file: "s.pb"), "byte \(i) ^ \(mask)") { error in
                    XCTAssertTrue(error is SnapshotFileError, "\(error)")
                }
            }
        }
    }

    /// Random edits (cuts, insertions, repeats, random bytes) never crash the reader; the digest refuses
    /// every changed file.
    func testFuzzedSnapshotsAreRefusedWithoutACrash() throws {
        let bytes = try SnapshotEncoding.encode(Self.sample())
        var rng = SplitMix64(seed: 18)
        for round in 0..<3_000 {
            var damaged = bytes
            for _ in 0...rng.below(4) {
                let i = rng.below(damaged.count)
                switch rng.below(5) {
                case 0: damaged[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: damaged.removeSubrange(i..<min(damaged.count, i + 1 + rng.below(64)))
                case 2: damaged.insert(contentsOf: (0..<(1 + rng.below(16))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: i)
                case 3: damaged.insert(contentsOf: damaged[i..<min(damaged.count, i + 1 + rng.below(300))], at: rng.below(damaged.count))
                default: damaged.replaceSubrange(i..<min(damaged.count, i + 10), with: Array(repeating: 0xFF, count: 10))
                }
                if damaged.isEmpty { damaged = [0] }
            }
            if damaged == bytes { continue }
            XCTAssertThrowsError(try SnapshotDecoding.decode(damaged, file: "s.pb"), "round \(round)") { error in
                XCTAssertTrue(error is SnapshotFileError, "\(error)")
            }
        }
    }

    /// Files made to make a reader allocate or index what is not there.
    func testHostileRecordsAreRefusedWithWhatIsWrong() throws {
        let magic = Array("FLOWSNP1".utf8)
        func record(_ body: [UInt8]) -> [UInt8] { Proto.varint(UInt64(body.count)) + body }
        let header = Proto.varint(field: 1, 1) + Proto.varint(field: 9, 1)
        func node(_ tensor: [UInt8]) -> [UInt8] { Proto.bytes(field: 1, Array("n".utf8)) + Proto.bytes(field: 4, tensor) }
        func tensor(dtype: UInt64, shape: [UInt64], byteLength: UInt64) -> [UInt8] {
            Proto.bytes(field: 1, Array("t".utf8)) + Proto.varint(field: 2, dtype)
                + shape.flatMap { Proto.varint(field: 3, $0) } + Proto.varint(field: 4, byteLength)
        }
        let cases: [(String, [UInt8], String)] = [
            ("not a snapshot", Array("GIF89a..".utf8), "does not start with \"FLOWSNP1\""),
            ("huge record", magic + Proto.varint(UInt64.max), "more than the"),
            ("endless varint", magic + Array(repeating: 0xFF, count: 12), "length prefix is cut off or malformed"),
            ("garbage header", magic + record([0xFF, 0xFF, 0xFF]), "not a valid SnapshotHeader"),
            ("other format", magic + record(Proto.varint(field: 1, 9)), "snapshot format 9"),
            ("billions of nodes", magic + record(Proto.varint(field: 1, 1) + Proto.varint(field: 9, 4_000_000_000)), "announces 4000000000 node records"),
            ("missing node", magic + record(header), "the file ends here, where the node state should be"),
            ("huge shape", magic + record(header) + record(node(tensor(dtype: 1, shape: [2_147_483_647, 2_147_483_647], byteLength: 8))), "too large"),
            ("negative dimension", magic + record(header) + record(node(tensor(dtype: 1, shape: [UInt64(bitPattern: -4)], byteLength: 0))), "dimension -4"),
            ("unknown dtype", magic + record(header) + record(node(tensor(dtype: 99, shape: [2], byteLength: 8))), "unknown dtype code 99"),
            ("wrong byte count", magic + record(header) + record(node(tensor(dtype: 1, shape: [1 << 20], byteLength: 1 << 40))), "which needs 4194304"),
            ("tensor data missing", magic + record(header) + record(node(tensor(dtype: 1, shape: [1_000_000], byteLength: 4_000_000))), "4000000 bytes of tensor data should follow, but only 0 remain"),
            ("no trailer", magic + record(header) + record(node(tensor(dtype: 4, shape: [2], byteLength: 2))) + [1, 2], "where the trailer should be"),
        ]
        for (name, bytes, expected) in cases {
            XCTAssertThrowsError(try SnapshotDecoding.decode(bytes, file: "h.pb"), name) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(name): \(error)")
            }
        }
        // Bytes after a valid trailer.
        let good = try SnapshotEncoding.encode(Self.sample())
        XCTAssertThrowsError(try SnapshotDecoding.decode(good + [0], file: "h.pb")) { error in
            XCTAssertTrue("\(error)".contains("1 unexpected byte(s) after the trailer"), "\(error)")
        }
        XCTAssertThrowsError(try SnapshotDecoding.read("/nonexistent/s.pb")) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/s.pb: not a usable snapshot: byte 0: cannot read it"), "\(error)")
        }
    }

    func testDigestSeesEveryWordAndTheLength() {
        let base = [UInt8](repeating: 0, count: 64)
        let d0 = base.withUnsafeBytes { ContentDigest.of($0) }
        XCTAssertNotEqual(d0, (base + [0]).withUnsafeBytes { ContentDigest.of($0) })
        for i in base.indices {
            var b = base
            b[i] = 1
            XCTAssertNotEqual(b.withUnsafeBytes { ContentDigest.of($0) }, d0, "byte \(i)")
        }
    }
}

/// Protocol-buffer fields written by hand, for records no encoder would make.
enum Proto {
    static func varint(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var v = v
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        return out + [UInt8(v)]
    }
    static func varint(field: Int, _ v: UInt64) -> [UInt8] { varint(UInt64(field << 3)) + varint(v) }
    static func bytes(field: Int, _ b: [UInt8]) -> [UInt8] { varint(UInt64(field << 3 | 2)) + varint(UInt64(b.count)) + b }
}
