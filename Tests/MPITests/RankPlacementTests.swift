import Foundation
import XCTest
import FlowKit
import BuiltinNodes
@testable import FlowCore

/// `rank:` in graph files and the compiler's checks on edges between ranks; no MPI needed.
final class RankPlacementTests: XCTestCase {
    override func setUp() { BuiltinNodes.register() }

    /// `line:column` of the first `needle` on a line of `text` (1-based), where the compiler should point.
    private func at(_ needle: String, line: Int, in text: String) -> String {
        let l = text.split(separator: "\n", omittingEmptySubsequences: false)[line - 1]
        let column = l.distance(from: l.startIndex, to: l.range(of: needle)!.lowerBound) + 1
        return "\(line):\(column)"
    }

    private func compile(_ text: String) throws -> GraphCompiler.Result {
        let dir = try TemporaryFolder()
        let path = try MPIHarness.graph(text, in: dir)
        return GraphCompiler(cores: 2).compile(file: path)
    }

    private func messages(_ r: GraphCompiler.Result) -> [String] {
        r.errors.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "?") \($0.message)" }
    }

    func testLongLiveMPIPlacesEachPartOnItsRank() throws {
        let r = GraphCompiler(cores: 2).compile(file: MPIHarness.repo.appendingPathComponent("Graphs/longlive-mpi.yaml").path)
        let graph = try XCTUnwrap(r.graph, r.renderer.render(r.diagnostics))
        let ranks = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0.rank) })
        XCTAssertEqual(ranks, ["prompts": 0, "text": 0, "kv": 1, "denoise": 1, "tail": 2, "vae": 0, "video": 0])
        XCTAssertEqual(graph.ranksNeeded, 3)
        // longlive.yaml, which does not set the ranks, keeps everything on rank 0.
        let plain = GraphCompiler(cores: 2).compile(file: MPIHarness.repo.appendingPathComponent("Graphs/longlive.yaml").path)
        XCTAssertEqual(try XCTUnwrap(plain.graph).ranksNeeded, 1)
    }

    /// An include's rank is the default for its nodes; a node's own wins; `rank: ${param}` takes a graph param.
    func testIncludeRankIsTheDefaultForItsNodes() throws {
        let dir = try TemporaryFolder()
        _ = try MPIHarness.graph("""
        version: 1
        name: sub
        inputs: [x]
        nodes:
          a: { type: compute.work, inputs: { in: in.x } }
          b: { type: sink.collect, rank: 0, inputs: { in: a.out } }
        """, in: dir, name: "sub.yaml")
        let path = try MPIHarness.graph("""
        version: 1
        name: top
        params: { where: { type: int, default: 2 } }
        nodes:
          count: { type: source.counter, count: 3 }
          s: { include: sub.yaml, rank: ${where}, inputs: { x: count.value } }
        """, in: dir)
        let r = GraphCompiler(cores: 2).compile(file: path)
        let graph = try XCTUnwrap(r.graph, r.renderer.render(r.diagnostics))
        XCTAssertEqual(graph.nodes.map { "\($0.id)@\($0.rank)" }, ["count@0", "s/a@2", "s/b@0"])
    }

    func testBadRanksAreReportedWhereWritten() throws {
        let text = """
        version: 1
        name: bad
        nodes:
          count: { type: source.counter, count: 3, rank: -1 }
          sink: { type: sink.collect, rank: two, inputs: { in: count.value } }
        """
        let r = try compile(text)
        XCTAssertEqual(messages(r), [
            "\(at("-1", line: 4, in: text)) rank must be a whole number from 0 to 4095 (the MPI rank that runs the node), found '-1'",
            "\(at("two", line: 5, in: text)) rank must be a whole number from 0 to 4095 (the MPI rank that runs the node), found 'two'",
        ])
    }

    /// The LongLive cache loop split across ranks: K/V contexts and updates have no encoding (a loop may cross
    /// ranks, this one's payloads may not); both are reported at once at their edges, and the policy rule too.
    func testLoopAndUnencodablePayloadsCannotCrossRanks() throws {
        let model = MPIHarness.repo.appendingPathComponent("Models/world-tiny").path
        let text = """
        version: 1
        name: split-loop
        nodes:
          prompts: { type: prompt.source, text: "a red circle", terminal: "off" }
          text: { type: text.encoder, inputs: { prompt: { from: prompts.prompt, policy: latest } }, rank: 1 }
          kv: { type: cache.manager, model: \(model), rank: 1, inputs: { update: denoise.kv } }
          denoise:
            type: denoiser.block
            model: \(model)
            frames: 24
            rank: 2
            inputs: { text: text.embedding, cache: { from: kv.context, feedback: true } }
        """
        let r = try compile(text)
        XCTAssertEqual(messages(r), [
            "\(at("prompts.prompt", line: 5, in: text)) edge prompts.prompt -> text.prompt crosses from rank 0 to rank 1 with policy latest; only block crosses ranks (its capacity becomes the sender's credits)",
            "\(at("denoise.kv", line: 6, in: text)) edge denoise.kv -> kv.update crosses from rank 2 to rank 1, but its payload (kv_update) cannot cross ranks; payloads that can: any, embedding, float, frames, int, latent, layer_reply, layer_request, prompt",
            "\(at("kv.context", line: 12, in: text)) edge kv.context -> denoise.cache crosses from rank 1 to rank 2, but its payload (kv_context) cannot cross ranks; payloads that can: any, embedding, float, frames, int, latent, layer_reply, layer_request, prompt",
        ])
    }
}
