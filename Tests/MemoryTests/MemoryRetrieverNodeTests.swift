import Foundation
import XCTest
import FlowKit
@testable import MemoryNodes

/// memory.retriever through NodeHarness, with the shipped descriptor model. Frames carry copies of the
/// descriptor fixture's latents, so which banked frames match a query is known: a copy of the query's own
/// latent has similarity 1, any other latent less.
final class MemoryRetrieverNodeTests: XCTestCase {
    typealias F = MemoryFixtures

    private func harness(_ params: [String: ParamValue] = [:], baseDirectory: String = ".") throws -> NodeHarness<MemoryRetrieverNode> {
        var all = params
        all["model"] = .string(try F.shippedModel())
        return try NodeHarness(MemoryRetrieverNode.self, params: all, baseDirectory: baseDirectory)
    }

    /// A context for `block` whose window ends with a frame carrying `latent`, after `evictions` evictions.
    private func context(block: Int, evictions: Int, newest latent: Tensor?, sink: [KVFrame] = []) -> KVContext {
        let window = latent.map { [F.frame(3 * block - 1, latent: $0)] } ?? []
        return KVContext(sink: sink, window: window, recacheOnSwitch: true, block: block, evictions: evictions)
    }

    func testRetrievesTheFramesMostSimilarToTheNewestWindowFrame() throws {
        let latents = try F.latents()
        let (a, others) = (latents[0], Array(latents[1...]))
        let h = try harness(["k": .int(2), "exclude_recent": .int(2), "slot": .int(0)])
        // Positions 3..11, evictions 1..9: copies of latent A at 4 and 7, and at 11 (among the 2 most recent).
        for (i, position) in (3...11).enumerated() {
            let latent = [4, 7, 11].contains(position) ? a : others[i % others.count]
            try h.feed("evicted", position: position, F.eviction(position, sequence: i + 1, latent: latent))
        }
        try h.feed("context", Packet(position: 5, payload: context(block: 5, evictions: 9, newest: a), meta: ["kv_frames": "9"]))
        let out = try XCTUnwrap(h.readOutputs("context").first)
        let answered = try out.value(as: KVContext.self)
        XCTAssertEqual(answered.memory.map(\.position), [4, 7], "the copies of A that are candidates, by position")
        XCTAssertEqual(answered.memorySlot, 0)
        XCTAssertEqual(answered.block, 5)
        XCTAssertEqual(answered.window.map(\.position), [14], "the rest of the context passes through")
        XCTAssertEqual(out.position, 5)
        XCTAssertEqual(out.meta["kv_frames"], "9", "the cache manager's meta passes through")
        XCTAssertEqual(out.meta["memory_frames"], "2")
        XCTAssertEqual(out.meta["memory_positions"], "4,7")
        XCTAssertEqual(Double(try XCTUnwrap(out.meta["memory_top_score"].flatMap(Double.init))), 1, accuracy: 1e-3)
        XCTAssertEqual(maxAbsDifference(answered.memory[1].keys[0], F.frame(7).keys[0]), 0, "f32 K/V of the banked frame")
        let record = try XCTUnwrap(h.node.retrievals.first)
        XCTAssertEqual(record.queryPosition, 14)
        XCTAssertEqual(record.positions, [4, 7])
        for score in record.scores { XCTAssertEqual(score, 1, accuracy: 1e-5, "a copy of the query's latent") }
        XCTAssertEqual(h.node.bank.count, 9)
        try h.close("context")
        XCTAssertTrue(h.ended)
        try h.finishClean()
        XCTAssertTrue(h.logLines.last?.contains("9 frame(s) banked") == true, "\(h.logLines)")
        XCTAssertTrue(h.logLines.last?.contains("1 block(s) answered") == true, "\(h.logLines)")
    }

    /// A block's evictions and its context travel on different edges: a context that arrives first waits
    /// until the bank has every eviction it counts, so the query sees the whole history.
    func testAContextWaitsForItsEvictions() throws {
        let latents = try F.latents()
        let h = try harness(["k": .int(1), "exclude_recent": .int(0)])
        try h.feed("evicted", position: 3, F.eviction(3, sequence: 1, latent: latents[1]))
        try h.feed("context", position: 4, context(block: 4, evictions: 3, newest: latents[0]))
        XCTAssertEqual(h.outputs("context").count, 0, "evictions 2 and 3 have not arrived")
        XCTAssertEqual(h.leftovers.pendingWork, ["block 4: context waits for eviction 3; the bank has received up to 1"])
        try h.feed("evicted", position: 4, F.eviction(4, sequence: 2, latent: latents[2]))
        XCTAssertEqual(h.outputs("context").count, 0)
        // The last one is the query's own latent: only a query made after it arrived finds it.
        try h.feed("evicted", position: 5, F.eviction(5, sequence: 3, latent: latents[0]))
        let first = try h.payloads("context", as: KVContext.self)
        XCTAssertEqual(first.map(\.block), [4])
        XCTAssertEqual(first.first?.memory.map(\.position), [5])
        // A context whose evictions are all in is answered at once, and contexts keep their order.
        try h.feed("context", position: 5, context(block: 5, evictions: 3, newest: latents[1]))
        try h.feed("context", position: 6, context(block: 6, evictions: 4, newest: latents[2]))
        try h.feed("context", position: 7, context(block: 7, evictions: 4, newest: latents[2]))
        XCTAssertEqual(try h.payloads("context", as: KVContext.self).map(\.block), [4, 5])
        XCTAssertEqual(try h.payloads("context", as: KVContext.self).last?.memory.map(\.position), [3])
        try h.feed("evicted", position: 6, F.eviction(6, sequence: 4, latent: latents[3]))
        XCTAssertEqual(try h.payloads("context", as: KVContext.self).map(\.block), [4, 5, 6, 7])
        XCTAssertEqual(h.node.retrievals.map(\.block), [4, 5, 6, 7])
        XCTAssertEqual(h.node.retrievals.map(\.positions), [[5], [3], [4], [4]])
        try h.close("context")
        XCTAssertTrue(h.ended)
        try h.finishClean()
    }

    /// When the evictions stop, contexts still waiting are answered from the bank as it is, and the stream
    /// ends once the context input has closed too.
    func testWaitingContextsAreAnsweredWhenTheEvictionsClose() throws {
        let latents = try F.latents()
        let h = try harness(["k": .int(3), "exclude_recent": .int(0)])
        try h.feed("evicted", position: 3, F.eviction(3, sequence: 1, latent: latents[1]))
        try h.feed("context", position: 2, context(block: 2, evictions: 2, newest: latents[0]))
        try h.close("context")
        XCTAssertFalse(h.ended, "a context still waits for its evictions")
        try h.close("evicted")
        XCTAssertTrue(h.ended)
        XCTAssertEqual(try h.payloads("context", as: KVContext.self).map { $0.memory.map(\.position) }, [[3]])
        XCTAssertTrue(h.logLines.contains { $0.contains("closed at eviction 1, but block 2 counts 2") }, "\(h.logLines)")
        try h.finishClean()
    }

    /// Before the window fills the query is the newest sink frame; with no frame at all nothing is retrieved.
    func testTheQueryFallsBackToTheSinkAndAnEmptyContextRetrievesNothing() throws {
        let latents = try F.latents()
        let h = try harness(["k": .int(1), "exclude_recent": .int(0), "slot": .int(7)])
        try h.feed("evicted", position: 5, F.eviction(5, sequence: 1, latent: latents[2]))
        try h.feed("evicted", position: 6, F.eviction(6, sequence: 2, latent: latents[3]))
        let sink = [F.frame(0, latent: latents[0]), F.frame(1, latent: latents[3])]
        try h.feed("context", position: 3, context(block: 3, evictions: 2, newest: nil, sink: sink))
        try h.feed("context", position: 0, KVContext.empty())
        try h.feed("context", Packet(position: -1, payload: LoopSeed()))
        let out = try h.payloads("context", as: KVContext.self)
        XCTAssertEqual(out.map { $0.memory.map(\.position) }, [[6], [], []])
        XCTAssertEqual(out.map(\.memorySlot), [7, 7, 7])
        XCTAssertEqual(h.node.retrievals.map(\.queryPosition), [1, nil, nil])
        XCTAssertEqual(h.outputs("context").map { $0.meta["memory_frames"] }, ["1", "0", "0"])
        XCTAssertEqual(h.outputs("context").map { $0.meta["memory_top_score"] == nil }, [false, true, true], "no top score without matches")
        try h.finishClean()
    }

    func testFewerCandidatesThanKSendsWhatThereIs() throws {
        let latents = try F.latents()
        let h = try harness(["k": .int(3), "exclude_recent": .int(5)])
        for i in 0..<6 { try h.feed("evicted", position: 3 + i, F.eviction(3 + i, sequence: i + 1, latent: latents[i % 4])) }
        try h.feed("context", position: 3, context(block: 3, evictions: 6, newest: latents[0]))
        XCTAssertEqual(try h.payloads("context", as: KVContext.self).first?.memory.map(\.position), [3], "6 banked, the newest 5 excluded")
        try h.finishClean()
    }

    func testSearchContextsAreRefused() throws {
        let h = try harness()
        let beam = Candidate(block: 1, index: 0, count: 2, parent: nil)
        let ctx = KVContext(sink: [], window: [], recacheOnSwitch: true, block: 2, beam: beam, beamCount: 2)
        XCTAssertThrowsError(try h.feed("context", position: 2, ctx)) { error in
            XCTAssertTrue("\(error)".contains("block 2"), "\(error)")
            XCTAssertTrue("\(error)".contains("search"), "\(error)")
        }
    }

    func testAnEvictedFrameWithoutALatentIsAnErrorNamingItsPosition() throws {
        let h = try harness()
        XCTAssertThrowsError(try h.feed("evicted", position: 7, F.eviction(7, sequence: 1, latent: nil))) { error in
            XCTAssertTrue("\(error)".contains("position 7"), "\(error)")
            XCTAssertTrue("\(error)".contains("no latent"), "\(error)")
        }
    }

    func testAQueryFrameWithoutALatentOrALatentOfTheWrongShapeIsAnError() throws {
        let h = try harness()
        let noLatent = KVContext(sink: [], window: [F.frame(8)], recacheOnSwitch: true, block: 3)
        XCTAssertThrowsError(try h.feed("context", position: 3, noLatent)) { error in
            XCTAssertTrue("\(error)".contains("block 3: the query frame at position 8"), "\(error)")
        }
        XCTAssertThrowsError(try h.feed("evicted", position: 4, F.eviction(4, sequence: 1, latent: Tensor(zeros: [4, 8, 8])))) { error in
            XCTAssertTrue("\(error)".contains("evicted frame at position 4"), "\(error)")
            XCTAssertTrue("\(error)".contains("[1, 4, 8, 8]"), "\(error)")
        }
    }

    func testInt8BankAndBudgetParamsReachTheBank() throws {
        let latents = try F.latents()
        let h = try harness(["precision": .string("int8"), "eviction": .string("least-retrieved"), "budget_mb": .float(1), "k": .int(1), "exclude_recent": .int(0)])
        XCTAssertEqual(h.node.bank.precision, .int8)
        XCTAssertEqual(h.node.bank.policy, .leastRetrieved)
        XCTAssertEqual(h.node.bank.budgetBytes, 1_048_576)
        XCTAssertEqual(h.node.bank.dimension, 256)
        try h.feed("evicted", position: 3, F.eviction(3, sequence: 1, latent: latents[0]))
        XCTAssertEqual(h.node.bank.bytes, 2 * F.layers * F.heads * F.tokens * (F.headDim + 4) + 256 * 4)
        try h.feed("context", position: 2, context(block: 2, evictions: 1, newest: latents[0]))
        let memory = try XCTUnwrap(h.payloads("context", as: KVContext.self).first?.memory.first)
        XCTAssertLessThan(maxAbsDifference(memory.keys[0], F.frame(3).keys[0]), 2.0 / 254 * 1.0001, "int8 within half a step")
        try h.finishClean()
    }

    /// The log file: one JSON object per block, written as blocks are answered, whole after finish.
    func testTheLogHasOneJSONLinePerBlock() throws {
        let latents = try F.latents()
        let dir = try makeTemporaryFolder()
        let h = try harness(["k": .int(2), "exclude_recent": .int(1), "log": .string("out/retrieval.jsonl")], baseDirectory: dir.path)
        for (i, latent) in [latents[0], latents[1], latents[0], latents[2]].enumerated() {
            try h.feed("evicted", position: 3 + i, F.eviction(3 + i, sequence: i + 1, latent: latent))
        }
        try h.feed("context", position: 4, context(block: 4, evictions: 4, newest: latents[0]))
        try h.feed("context", position: 0, KVContext.empty())
        let path = dir.file("out/retrieval.jsonl")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count, 2, "written through before finish")
        XCTAssertEqual(h.outputs("context").count, 2)
        try h.finishClean()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["block"] as? Int, 4)
        XCTAssertEqual(first["query_position"] as? Int, 11)
        XCTAssertEqual(first["retrieved"] as? [Int], [3, 5], "the two copies of the query's latent")
        let scores = try XCTUnwrap(first["scores"] as? [Double])
        XCTAssertEqual(scores.count, 2)
        for s in scores { XCTAssertEqual(s, 1, accuracy: 1e-5) }
        XCTAssertEqual(String(lines[0]).hasPrefix("{\"block\":4,\"query_position\":11,\"retrieved\":[3,5],\"scores\":["), true, String(lines[0]))
        XCTAssertEqual(String(lines[1]), "{\"block\":0,\"query_position\":null,\"retrieved\":[],\"scores\":[]}")
    }

    /// finish closes the log even when the run stopped on an error.
    func testTheLogIsFinalizedAfterAnError() throws {
        let latents = try F.latents()
        let dir = try makeTemporaryFolder()
        let h = try harness(["exclude_recent": .int(0), "log": .string("retrieval.jsonl")], baseDirectory: dir.path)
        try h.feed("evicted", position: 3, F.eviction(3, sequence: 1, latent: latents[1]))
        try h.feed("context", position: 2, context(block: 2, evictions: 1, newest: latents[0]))
        XCTAssertThrowsError(try h.feed("evicted", position: 4, F.eviction(4, sequence: 2, latent: nil)))
        try h.finish()
        let lines = try String(contentsOfFile: dir.file("retrieval.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix("{\"block\":2,\"query_position\":5,\"retrieved\":[3]"), String(lines[0]))
        XCTAssertEqual(h.logLines.count, 1, "the closing line")
    }

    func testTheFamilyRegistersTheNode() {
        XCTAssertTrue(MemoryNodes.types.contains { $0 == MemoryRetrieverNode.self })
        let c = MemoryRetrieverNode.contract
        XCTAssertEqual(c.type, "memory.retriever")
        XCTAssertEqual(c.inputs.map(\.name), ["context", "evicted"])
        XCTAssertEqual(c.outputs.map(\.name), ["context"])
        XCTAssertEqual(c.params.map(\.name), ["model", "k", "exclude_recent", "budget_mb", "precision", "eviction", "slot", "log"])
        XCTAssertEqual(c.compute, .light)
    }
}
