import XCTest
@testable import DenoiserNodes

/// The target's finish line in speculative decoding: acceptance, block times and the target's own saving.
final class SpeculationSummaryTests: XCTestCase {
    func testTheTargetsLineStatesItsSavingFromTheRunsTimes() throws {
        var state = SpeculationState()
        state.keptSeconds = [0.010, 0.012]
        state.generatedSeconds = [0.050]
        let line = try XCTUnwrap(state.summary(role: .verify))
        XCTAssertTrue(line.hasPrefix("speculative target: 2 of 3 block(s) kept from the drafter (66.7%)"), line)
        XCTAssertTrue(line.contains("a kept block 11.0 ms, a generated one 50.0 ms"), line)
        // Generating all three would have cost 3 x 50 ms; the target spent 72 ms: 150 / 72 = 2.08.
        XCTAssertTrue(line.contains("the target's compute 2.08x less than generating every block"), line)
    }

    func testWithoutAGeneratedBlockThereIsNoSavingToState() throws {
        var state = SpeculationState()
        state.keptSeconds = [0.010]
        let line = try XCTUnwrap(state.summary(role: .verify))
        XCTAssertTrue(line.hasSuffix("a generated one -"), line)
        XCTAssertNil(state.summary(role: .generate))
    }
}
