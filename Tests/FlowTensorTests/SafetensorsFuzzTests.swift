import XCTest
import FlowTestSupport
import Foundation
import FlowKit

/// Fuzz target for the safetensors reader: mutated real files and grammar-generated headers must
/// produce either a valid file whose tensors all read back, or a SafetensorsError; never a crash.
///
/// The default run is short. For a long local run:
///     FLOWRUN_FUZZ_ITERATIONS=200000 FLOWRUN_FUZZ_SEED=7 swift test --scratch-path .build-numeric --filter SafetensorsFuzzTests
final class SafetensorsFuzzTests: XCTestCase {
    var iterations: Int { Int(ProcessInfo.processInfo.environment["FLOWRUN_FUZZ_ITERATIONS"] ?? "") ?? 500 }
    var seed: UInt64 { UInt64(ProcessInfo.processInfo.environment["FLOWRUN_FUZZ_SEED"] ?? "") ?? 0x5AFE }

    func testMutatedFiles() {
        let seedFile = SafetensorsWriter.encode([
            "a": Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
            "b": Tensor(shape: [4], values: [1, 2, 3, 4]).converted(to: .bf16),
            "c": Tensor(shape: [3], values: [1, 2, 3]).converted(to: .i8),
        ], metadata: ["k": "v"])
        var rng = SplitMix64(seed: seed)
        var accepted = 0
        for _ in 0..<iterations {
            var bytes = seedFile
            for _ in 0...(rng.next() % 4) { mutate(&bytes, &rng) }
            if exercise(bytes) { accepted += 1 }
        }
        XCTAssertLessThan(accepted, iterations, "mutations should be rejected sometimes")
    }

    func testGeneratedHeaders() {
        var rng = SplitMix64(seed: seed &+ 1)
        for _ in 0..<iterations {
            let data = [UInt8](repeating: 0xAB, count: Int(rng.next() % 64))
            var header = "{"
            let count = Int(rng.next() % 4)
            for i in 0..<count {
                let dtype = ["\"F32\"", "\"BF16\"", "\"I8\"", "\"F64\"", "\"X\"", "3", "null"][Int(rng.next() % 7)]
                let dims = (0..<Int(rng.next() % 3)).map { _ in number(&rng) }
                let offsets = (0..<Int(rng.next() % 3 + 1)).map { _ in number(&rng) }
                header += (i > 0 ? "," : "") + "\"t\(rng.next() % 3)\":{\"dtype\":\(dtype),\"shape\":[\(dims.joined(separator: ","))],\"data_offsets\":[\(offsets.joined(separator: ","))]}"
            }
            header += "}"
            var bytes = [UInt8]()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
            _ = exercise(bytes + Array(header.utf8) + data)
        }
    }

    /// Parses `bytes`; when accepted, reads every tensor fully. Returns whether it was accepted.
    private func exercise(_ bytes: [UInt8]) -> Bool {
        do {
            let header = try bytes.withUnsafeBytes { try SafetensorsHeader(bytes: $0, path: "fuzz") }
            for (_, entry) in header.entries {
                XCTAssertLessThanOrEqual(header.dataStart + entry.dataRange.upperBound, bytes.count)
            }
            // Accepted: the mapped reader must hand out every tensor and its values.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString).safetensors").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let file = try SafetensorsFile(path: path)
            for name in file.names {
                let t = try file.tensor(name)
                XCTAssertEqual(t.toArray().count, header.entries[name]!.shape.reduce(1, *))
            }
            return true
        } catch is SafetensorsError {
            return false
        } catch {
            XCTFail("unexpected error \(error)")
            return false
        }
    }

    private func number(_ rng: inout SplitMix64) -> String {
        switch rng.next() % 8 {
        case 0: return "-\(rng.next() % 10)"
        case 1: return "\(rng.next())"
        case 2: return "1e3"
        case 3: return "9223372036854775807"
        default: return "\(rng.next() % 20)"
        }
    }

    private func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard !bytes.isEmpty else { bytes = [UInt8(truncatingIfNeeded: rng.next())]; return }
        let i = Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 7 {
        case 0: bytes[i] ^= UInt8(1 << (rng.next() % 8))
        case 1: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
        case 2: bytes.removeSubrange(i...)
        case 3: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
        case 4: bytes[i] = Array("0123456789,[]{}\"-".utf8)[Int(rng.next() % 17)]
        case 5:  // Rewrite the declared header length.
            let length = rng.next() % 2 == 0 ? rng.next() : rng.next() % UInt64(bytes.count + 16)
            withUnsafeBytes(of: length.littleEndian) { for k in 0..<min(8, bytes.count) { bytes[k] = $0[k] } }
        default: bytes.removeSubrange(i..<min(bytes.count, i + Int(rng.next() % 8)))
        }
    }
}
