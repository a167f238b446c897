import Foundation
import XCTest
import FlowKit
@testable import FlowRecords
import FlowTestSupport
@testable import RolloutNodes

/// Truncated, corrupt and hostile rollout files: protobuf-c and the schema checks turn every one into a
/// `RecordError` with the record index and byte offset, never a crash. FLOWRUN_FUZZ_ITERATIONS=1000000 for
/// a long run; CI runs the default (a few hundred).
final class RolloutFileFuzzTests: XCTestCase {
    /// A valid file of two groups of two rollouts, as rollout.writer writes it.
    static func validFile() -> [UInt8] {
        let header = RolloutFileHeaderRecord(graph: "g", model: "m", weights: "denoiser", seed: 1, groupSize: 2, branching: "noise",
                                             reward: "reward.scorer", sigmas: RolloutWriterNodeTests.sigmas, guidance: 4, blockFrames: 3)
        let groups = (0..<2).map { b in
            RolloutGroupRecord(block: b, prompt: "a red circle", promptGeneration: 0, textStates: Tensor(shape: [2, 4], repeating: 0.5),
                               rollouts: (0..<2).map { i in
                                   let (t, _) = RolloutWriterNodeTests.trajectory(Candidate(block: b, index: i, count: 2, parent: nil))
                                   return RolloutRecord(index: i, states: RolloutWriterNode.stacked(t.states), predictions: RolloutWriterNode.stacked(t.predictions),
                                                        transitions: GaussianTransition.transitions(t), visiblePositions: b == 0 ? [] : [0, 1, 2],
                                                        reward: 0.5, advantage: i == 0 ? -1 : 1, kept: i == 0)
                               }, rewardMean: 0.5, rewardStd: 0)
        }
        func framed(_ r: [UInt8]) -> [UInt8] { Varint.encode(UInt64(r.count)) + r }
        return framed(RolloutRecordCoding.encode(header)) + groups.flatMap { framed(RolloutRecordCoding.encode($0)) }
    }

    func testTheValidFileReadsBack() throws {
        let file = try RolloutFile.read(bytes: Self.validFile())
        XCTAssertEqual(file.groups.count, 2)
        XCTAssertEqual(file.groups[1].rollouts[1].states.shape, [4, 3, 2, 2, 2])
    }

    /// Training/tests/fixtures/rollouts-swift.pb is this file, byte for byte, so the Python reader's test
    /// (Training/tests/test_rollout_records.py) reads what Swift writes. FLOWRUN_WRITE_FIXTURES=1 rewrites it.
    func testTheCommittedFixtureIsWhatSwiftWrites() throws {
        let path = Repository.root.appendingPathComponent("Training/tests/fixtures/rollouts-swift.pb").path
        if ProcessInfo.processInfo.environment["FLOWRUN_WRITE_FIXTURES"] == "1" {
            try Data(Self.validFile()).write(to: URL(fileURLWithPath: path))
        }
        let committed = try XCTUnwrap(FileManager.default.contents(atPath: path), "missing \(path)")
        XCTAssertEqual([UInt8](committed), Self.validFile())
    }

    func testSchemaViolationsAreNamed() throws {
        let valid = Self.validFile()
        // A header record that is a group: the format check names the record.
        var reader = RecordReader(bytes: valid)
        _ = try reader.nextRecord()
        let group = try XCTUnwrap(try reader.nextRecord())
        let groupOnly = Varint.encode(UInt64(group.bytes.count)) + Array(group.bytes)
        XCTAssertThrowsError(try RolloutFile.read(bytes: groupOnly, path: "swapped.pb")) { error in
            let e = error as! RecordError
            XCTAssertEqual(e.kind, .badMessage)
            XCTAssertTrue(e.description.hasPrefix("swapped.pb: record 0 at byte 0: "), e.description)
        }
        XCTAssertThrowsError(try RolloutFile.read(bytes: [], path: "empty.pb")) { XCTAssertTrue("\($0)".contains("no header record"), "\($0)") }
    }

    func testFuzzedRolloutFilesNeverCrashTheReader() throws {
        let valid = Self.validFile()
        let iterations = FuzzIterations.count
        var rng = SplitMix64(seed: 0x0F0C_2026)
        var outcomes: [RecordError.Kind: Int] = [:]
        var readBack = 0
        for _ in 0..<iterations {
            let damaged = FuzzIterations.mutate(valid, &rng)
            do {
                let file = try RolloutFile.read(bytes: damaged, path: "fuzz.pb")
                readBack += 1
                for g in file.groups { for r in g.rollouts { XCTAssertEqual(r.states.shape, r.predictions.shape) } }
            } catch let e as RecordError {
                outcomes[e.kind, default: 0] += 1
                XCTAssertNotNil(e.record)
                XCTAssertLessThan(e.offset ?? Int.max, max(damaged.count, 1), "the offset lies inside the file")
                XCTAssertTrue(e.description.contains("record \(e.record!) at byte \(e.offset!)"), e.description)
            }
        }
        print("rollout fuzz: \(iterations) files, \(readBack) read back, errors \(outcomes)")
        XCTAssertGreaterThan(outcomes[.badMessage, default: 0], 0, "some damage must reach protobuf-c and the schema checks")
        XCTAssertGreaterThan(outcomes[.truncated, default: 0], 0)
    }
}
