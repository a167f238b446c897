import XCTest
import FlowKit
@testable import MemoryNodes

/// The bank alone, on synthetic frames (2 layers of [2, 4, 8]) and hand-made 4-d descriptors.
final class MemoryBankTests: XCTestCase {
    typealias F = MemoryFixtures
    /// f32 K and V of both layers (2 · 2 · 2·4·8 · 4 bytes) plus a 4-d f32 descriptor.
    static let f32Frame = 2 * 2 * (2 * 4 * 8 * 4) + 4 * 4
    /// int8: per (head, token) row 8 codes and one f32 scale.
    static let int8Frame = 2 * 2 * (2 * 4 * (8 + 4)) + 4 * 4

    /// A unit vector in 4-d at `angle` radians from e0 in the (e0, e1) plane: cosines are cos(a - b).
    static func unit(_ angle: Double) -> [Float] { [Float(cos(angle)), Float(sin(angle)), 0, 0] }
    static let e0: [Float] = [1, 0, 0, 0]

    private func bank(frames: Int = 100, precision: BankPrecision = .f32, policy: BankEvictionPolicy = .oldest) -> MemoryBank {
        MemoryBank(budgetBytes: frames * (precision == .f32 ? Self.f32Frame : Self.int8Frame), precision: precision, policy: policy, dimension: 4)
    }

    func testFrameBytesAreWhatTheBankCharges() throws {
        XCTAssertEqual(MemoryBank.frameBytes(layers: 2, heads: 2, tokens: 4, headDim: 8, precision: .f32, dimension: 4), Self.f32Frame)
        XCTAssertEqual(MemoryBank.frameBytes(layers: 2, heads: 2, tokens: 4, headDim: 8, precision: .int8, dimension: 4), Self.int8Frame)
        for precision in BankPrecision.allCases {
            var b = bank(precision: precision)
            try b.add(F.eviction(3, sequence: 1), descriptor: Self.e0)
            try b.add(F.eviction(4, sequence: 2), descriptor: Self.e0)
            XCTAssertEqual(b.bytes, 2 * MemoryBank.frameBytes(layers: 2, heads: 2, tokens: 4, headDim: 8, precision: precision, dimension: 4))
            XCTAssertEqual(b.stats.framesHeld, 2)
        }
        // The shipped denoiser's frame (6 layers, 3 heads, 16 tokens, head_dim 64) with a 256-d descriptor.
        XCTAssertEqual(MemoryBank.frameBytes(layers: 6, heads: 3, tokens: 16, headDim: 64, precision: .f32), 147_456 + 1024)
        XCTAssertEqual(MemoryBank.frameBytes(layers: 6, heads: 3, tokens: 16, headDim: 64, precision: .int8), 39_168 + 1024)
    }

    func testOldestPolicyDropsTheLowestSequencesFirst() throws {
        var b = bank(frames: 3)
        for (i, position) in [3, 4, 5, 6, 7].enumerated() { try b.add(F.eviction(position, sequence: i + 1), descriptor: Self.e0) }
        XCTAssertEqual(b.positions, [5, 6, 7])
        XCTAssertEqual(b.stats.dropped, 2)
        XCTAssertEqual(b.stats.added, 5)
        XCTAssertEqual(b.bytes, 3 * Self.f32Frame)
        XCTAssertEqual(b.stats.peakBytes, 3 * Self.f32Frame)
        XCTAssertLessThanOrEqual(b.bytes, b.budgetBytes)
        XCTAssertEqual(b.lastSequence, 5)
    }

    /// Retrieved frames stay; the least retrieved of those that have been candidates leaves, ties to the oldest.
    func testLeastRetrievedPolicyKeepsWhatIsRetrieved() throws {
        var b = bank(frames: 4, policy: .leastRetrieved)
        // Positions 10..13; 11 points where the queries will look.
        for (i, position) in [10, 11, 12, 13].enumerated() {
            try b.add(F.eviction(position, sequence: i + 1), descriptor: position == 11 ? Self.e0 : Self.unit(1.2))
        }
        XCTAssertEqual(b.topK(query: Self.e0, k: 1, excludeRecent: 0).map(\.position), [11])
        XCTAssertEqual(b.retrievals(ofPosition: 11), 1)
        try b.add(F.eviction(14, sequence: 5), descriptor: Self.unit(1.2))
        XCTAssertEqual(b.positions, [11, 12, 13, 14], "10 (never retrieved, oldest) left; 11 (retrieved) stayed although older than 12")
        try b.add(F.eviction(15, sequence: 6), descriptor: Self.unit(1.2))
        XCTAssertEqual(b.positions, [11, 13, 14, 15], "the oldest never-retrieved candidate (12) left")
        XCTAssertEqual(b.stats.dropped, 2)
        XCTAssertEqual(b.retrievals(ofPosition: 11), 1)
    }

    /// Frames among the most recent evictions have never been candidates, so their count says nothing: a full
    /// bank whose other frames were all retrieved must not drop each new frame as it arrives.
    func testLeastRetrievedNeverDropsFramesThatWereNotYetCandidates() throws {
        var b = bank(frames: 3, policy: .leastRetrieved)
        for (i, position) in [10, 11, 12].enumerated() { try b.add(F.eviction(position, sequence: i + 1), descriptor: Self.e0) }
        // Every frame is retrieved once.
        XCTAssertEqual(b.topK(query: Self.e0, k: 3, excludeRecent: 0).map(\.position), [10, 11, 12])
        XCTAssertEqual(b.topK(query: Self.e0, k: 1, excludeRecent: 0).map(\.position), [10], "ties: lower position first")
        try b.add(F.eviction(13, sequence: 4), descriptor: Self.e0)
        XCTAssertEqual(b.positions, [10, 12, 13], "11 (1 retrieval, older than 12) left; the new 13 (0 retrievals, never a candidate) stayed")
        try b.add(F.eviction(14, sequence: 5), descriptor: Self.e0)
        XCTAssertEqual(b.positions, [10, 13, 14], "12 left; 13 has still not been a candidate")
        // Nothing offered any more: the oldest goes.
        var fresh = bank(frames: 2, policy: .leastRetrieved)
        for (i, position) in [1, 2, 3].enumerated() { try fresh.add(F.eviction(position, sequence: i + 1), descriptor: Self.e0) }
        XCTAssertEqual(fresh.positions, [2, 3])
    }

    func testInt8StorageIsSmallerAndRoundTripsWithinHalfAStep() throws {
        var plain = bank(precision: .f32), int8 = bank(precision: .int8)
        let eviction = F.eviction(7, sequence: 1)
        try plain.add(eviction, descriptor: Self.e0)
        try int8.add(eviction, descriptor: Self.e0)
        XCTAssertEqual(plain.bytes, Self.f32Frame)
        XCTAssertEqual(int8.bytes, Self.int8Frame)
        XCTAssertLessThan(Double(int8.bytes), 0.5 * Double(plain.bytes))
        let exact = try XCTUnwrap(plain.topK(query: Self.e0, k: 1, excludeRecent: 0).first).frame
        let rounded = try XCTUnwrap(int8.topK(query: Self.e0, k: 1, excludeRecent: 0).first).frame
        for (original, stored) in zip(eviction.frame.keys + eviction.frame.values, exact.keys + exact.values) {
            XCTAssertEqual(maxAbsDifference(original, stored), 0, "f32 storage is exact")
        }
        // Symmetric int8 with scale = row max / 127: every value is within half a step, row max / 254.
        for (original, stored) in zip(eviction.frame.keys + eviction.frame.values, rounded.keys + rounded.values) {
            XCTAssertEqual(stored.shape, original.shape)
            let x = original.toArray(), q = stored.toArray(), d = F.headDim
            for row in 0..<(x.count / d) {
                let rowMax = x[(row * d)..<((row + 1) * d)].map(abs).max()!
                for i in (row * d)..<((row + 1) * d) {
                    XCTAssertLessThanOrEqual(abs(q[i] - x[i]), rowMax / 254 * 1.0001, "row \(row)")
                }
            }
            XCTAssertGreaterThan(maxAbsDifference(original, stored), 0, "int8 rounds")
        }
        XCTAssertEqual(rounded.position, 7)
        XCTAssertFalse(rounded.keysRotated)
        XCTAssertNil(rounded.latent, "the bank does not keep latents")
    }

    func testAFrameLargerThanTheWholeBudgetIsAnError() {
        var b = MemoryBank(budgetBytes: Self.f32Frame - 1, dimension: 4)
        XCTAssertThrowsError(try b.add(F.eviction(9, sequence: 1), descriptor: Self.e0)) { error in
            XCTAssertTrue("\(error)".contains("position 9"), "\(error)")
            XCTAssertTrue("\(error)".contains("\(Self.f32Frame) bytes"), "\(error)")
            XCTAssertTrue("\(error)".contains("budget of \(Self.f32Frame - 1) bytes"), "\(error)")
        }
        XCTAssertEqual(b.count, 0)
    }

    func testTheMostRecentEvictionsAreNeverCandidates() throws {
        var b = bank()
        for (i, position) in [3, 4, 5, 6, 7, 8].enumerated() { try b.add(F.eviction(position, sequence: i + 1), descriptor: Self.e0) }
        XCTAssertEqual(b.topK(query: Self.e0, k: 10, excludeRecent: 2).map(\.position), [3, 4, 5, 6])
        XCTAssertEqual(b.topK(query: Self.e0, k: 10, excludeRecent: 0).map(\.position), [3, 4, 5, 6, 7, 8])
        XCTAssertEqual(b.topK(query: Self.e0, k: 10, excludeRecent: 6).map(\.position), [], "all excluded")
        XCTAssertEqual(b.topK(query: Self.e0, k: 10, excludeRecent: 60).map(\.position), [])
        // The newest frame is the best match, but it is excluded; the next best wins.
        var c = bank()
        for (i, angle) in [1.0, 0.6, 0.3, 0.0].enumerated() { try c.add(F.eviction(20 + i, sequence: i + 1), descriptor: Self.unit(angle)) }
        XCTAssertEqual(c.topK(query: Self.e0, k: 1, excludeRecent: 1).map(\.position), [22])
        XCTAssertEqual(c.topK(query: Self.e0, k: 1, excludeRecent: 0).map(\.position), [23])
    }

    /// Exclusion follows eviction order, not position: a frame evicted later at a lower position (a budget
    /// eviction) is still recent.
    func testRecencyIsTheEvictionSequence() throws {
        var b = bank()
        try b.add(F.eviction(30, sequence: 1), descriptor: Self.e0)
        try b.add(F.eviction(31, sequence: 2), descriptor: Self.e0)
        try b.add(F.eviction(12, sequence: 3, reason: .budget), descriptor: Self.e0)
        XCTAssertEqual(b.topK(query: Self.e0, k: 3, excludeRecent: 1).map(\.position), [30, 31])
    }

    func testTiesGoToTheLowerPosition() throws {
        var b = bank()
        // Evicted out of position order, all equally similar.
        for (i, position) in [9, 4, 7, 5].enumerated() { try b.add(F.eviction(position, sequence: i + 1), descriptor: Self.unit(0.5)) }
        let matches = b.topK(query: Self.e0, k: 2, excludeRecent: 0)
        XCTAssertEqual(matches.map(\.position), [4, 5])
        XCTAssertEqual(matches.map(\.sequence), [2, 4])
    }

    func testTopKRanksByCosineAndReturnsPositionOrder() throws {
        var b = bank()
        let angles: [Double] = [0.9, 0.1, 1.5, 0.4, 0.05, 2.0, 0.7]
        for (i, angle) in angles.enumerated() { try b.add(F.eviction(10 + i, sequence: i + 1), descriptor: Self.unit(angle)) }
        let matches = b.topK(query: Self.e0, k: 3, excludeRecent: 0)
        // The three smallest angles: 0.05 (14), 0.1 (11), 0.4 (13); returned by position.
        XCTAssertEqual(matches.map(\.position), [11, 13, 14])
        for m in matches { XCTAssertEqual(Double(m.score), cos(angles[m.position - 10]), accuracy: 1e-6) }
        XCTAssertEqual(matches.map(\.frame.position), [11, 13, 14])
        XCTAssertEqual(maxAbsDifference(matches[1].frame.keys[1], F.frame(13).keys[1]), 0, "the K/V of the matched frame")
        XCTAssertEqual(b.retrievals(ofPosition: 14), 1)
        XCTAssertEqual(b.retrievals(ofPosition: 10), 0)
        XCTAssertEqual(b.stats.retrievals, 3)
        XCTAssertEqual(b.stats.queries, 1)
        XCTAssertEqual(b.topK(query: Self.e0, k: 0, excludeRecent: 0).count, 0)
    }

    /// Dropping an entry moves the last one into its slot: descriptors and K/V must move with it.
    func testRemovalKeepsDescriptorsWithTheirFrames() throws {
        var b = bank(frames: 4)
        let angles: [Double] = [0.3, 1.0, 1.2, 0.0, 0.8, 1.4]
        for (i, angle) in angles.enumerated() { try b.add(F.eviction(40 + i, sequence: i + 1), descriptor: Self.unit(angle)) }
        XCTAssertEqual(b.positions, [42, 43, 44, 45])
        let matches = b.topK(query: Self.e0, k: 4, excludeRecent: 0)
        XCTAssertEqual(matches.map(\.position), [42, 43, 44, 45])
        for m in matches {
            XCTAssertEqual(Double(m.score), cos(angles[m.position - 40]), accuracy: 1e-6, "position \(m.position)")
            XCTAssertEqual(maxAbsDifference(m.frame.values[0], F.frame(m.position).values[0]), 0, "position \(m.position)")
        }
        XCTAssertEqual(b.topK(query: Self.e0, k: 1, excludeRecent: 0).map(\.position), [43])
    }

    func testEvictionsOutOfOrderOrDescriptorsOfTheWrongSizeAreErrors() throws {
        var b = bank()
        try b.add(F.eviction(5, sequence: 2), descriptor: Self.e0)
        XCTAssertThrowsError(try b.add(F.eviction(6, sequence: 2), descriptor: Self.e0)) { error in
            XCTAssertTrue("\(error)".contains("eviction 2 (position 6) arrived after eviction 2"), "\(error)")
        }
        XCTAssertThrowsError(try b.add(F.eviction(7, sequence: 3), descriptor: [1, 0])) { error in
            XCTAssertTrue("\(error)".contains("position 7 has 2 values"), "\(error)")
        }
        XCTAssertEqual(b.positions, [5])
    }
}
