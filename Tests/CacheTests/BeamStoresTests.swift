import XCTest
import FlowKit
@testable import CacheNodes

/// The cache manager's per-beam stores: a kept candidate's cache is its own history, nothing else.
final class BeamStoresTests: XCTestCase {
    private func frames(block: Int, value: Float) -> [KVFrame] {
        (0..<3).map { f in
            KVFrame(position: block * 3 + f, keys: [Tensor(shape: [1, 2, 2], repeating: value)], values: [Tensor(shape: [1, 2, 2], repeating: value)],
                    latent: nil, promptGeneration: 0)
        }
    }

    private func update(_ tag: Candidate, value: Float) -> KVUpdate {
        KVUpdate(kind: .append, frames: frames(block: tag.block, value: value), block: tag.block, blockFrames: 3, candidate: tag)
    }

    func testAKeptCandidatesContextHoldsItsOwnHistory() throws {
        var stores = BeamStores(root: KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9)))
        let a = (0..<2).map { Candidate(block: 0, index: $0, count: 2, parent: nil) }
        for (i, tag) in a.enumerated() { try stores.append(update(tag, value: Float(i + 1)), tag: tag) }
        let first = try stores.commit(BeamChoice(block: 0, kept: [a[1]], scores: [0.9]))
        XCTAssertEqual(first.count, 1)
        XCTAssertEqual(first[0].beam, a[1])
        XCTAssertEqual(first[0].block, 1)
        XCTAssertEqual(first[0].sink.map { $0.keys[0].toArray()[0] }, [2, 2, 2], "the kept candidate's K/V, not the dropped one's")
        let b = (0..<2).map { Candidate(block: 1, index: $0, count: 2, parent: a[1].id) }
        for (i, tag) in b.enumerated() { try stores.append(update(tag, value: Float(10 + i)), tag: tag) }
        let second = try stores.commit(BeamChoice(block: 1, kept: [b[0], b[1]], scores: [0.8, 0.7]))
        XCTAssertEqual(second.map(\.beamCount), [2, 2])
        XCTAssertEqual(second.map { $0.frames.map { $0.keys[0].toArray()[0] } }, [[2, 2, 2, 10, 10, 10], [2, 2, 2, 11, 11, 11]])
        XCTAssertEqual(stores.droppedCandidates, 1)
    }

    func testACandidateOfADroppedBeamIsAnError() throws {
        var stores = BeamStores(root: KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9)))
        let a = (0..<2).map { Candidate(block: 0, index: $0, count: 2, parent: nil) }
        for tag in a { try stores.append(update(tag, value: 1), tag: tag) }
        _ = try stores.commit(BeamChoice(block: 0, kept: [a[0]], scores: [0.5]))
        let orphan = Candidate(block: 1, index: 0, count: 1, parent: a[1].id)
        XCTAssertThrowsError(try stores.append(update(orphan, value: 1), tag: orphan)) {
            XCTAssertTrue("\($0)".contains("not a kept beam"), "\($0)")
        }
    }

    func testAChoiceThatOvertakesItsKVWaitsForThem() throws {
        var stores = BeamStores(root: KVStore(policy: CachePolicy(sinkFrames: 3, windowFrames: 9)))
        let a = (0..<2).map { Candidate(block: 0, index: $0, count: 2, parent: nil) }
        XCTAssertTrue(try stores.add(update(a[0], value: 1), tag: a[0]).isEmpty, "no choice yet")
        XCTAssertTrue(try stores.choose(BeamChoice(block: 0, kept: [a[1]], scores: [0.5])).isEmpty, "a[1]'s K/V not here yet")
        let contexts = try stores.add(update(a[1], value: 2), tag: a[1])
        XCTAssertEqual(contexts.map(\.beam), [a[1]])
        XCTAssertEqual(contexts[0].sink.map { $0.keys[0].toArray()[0] }, [2, 2, 2])
    }
}
