import Foundation
import XCTest

/// Graphs on several Open MPI ranks, end to end through `mpirun ... flowrun`.
final class MPIRunTests: XCTestCase {
    override func setUpWithError() throws { try MPIHarness.requireMPI() }

    /// longlive-mpi.yaml on three ranks (text and decoding | the denoiser's block loop, cache and layers 0-2 | layers
    /// 3-5 and the head) gives the same frames as the same file in one process and as longlive.yaml: the ranks and the
    /// split change where things run, never what they compute.
    func testThreeRanksGiveTheSameFramesAsOneProcess() throws {
        let dir = try TemporaryFolder()
        let common = ["--set", "frames=24", "--quiet"]
        let mpi = try MPIHarness.run(ranks: 3, ["Graphs/longlive-mpi.yaml", "--set", "out=\(dir.file("mpi.mp4"))"] + common)
        XCTAssertEqual(mpi.status, 0, mpi.stderr)
        let single = try MPIHarness.run(ranks: nil, ["Graphs/longlive-mpi.yaml", "--set", "out=\(dir.file("one.mp4"))"] + common)
        XCTAssertEqual(single.status, 0, single.stderr)
        let plain = try MPIHarness.run(ranks: nil, ["Graphs/longlive.yaml", "--set", "out=\(dir.file("plain.mp4"))"] + common)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let frames = try MPIHarness.decodedFrames(dir.file("mpi.mp4"))
        XCTAssertEqual(frames.count, 24 * 64 * 64 * 3, "24 frames of 64x64 RGB")
        XCTAssertEqual(frames, try MPIHarness.decodedFrames(dir.file("one.mp4")), "mpirun -np 3 and one process differ")
        // Against longlive.yaml: the same model and noise, but longlive.yaml batches guidance's two calls into one (the
        // split makes them on two ranks; `guidance_calls: separate` would match it bit for bit, LayerSplitGraphTests),
        // and a GEMM over other row counts rounds differently, which 4 guided steps per block amplify in a few pixels.
        // So the videos agree to rounding: PSNR >= 35 dB (measured about 50; a wrong layer or a lost call gives < 20).
        let plainFrames = try MPIHarness.decodedFrames(dir.file("plain.mp4"))
        XCTAssertEqual(plainFrames.count, frames.count)
        let squared = zip(frames, plainFrames).reduce(0.0) { $0 + pow(Double(Int($1.0) - Int($1.1)), 2) } / Double(max(frames.count, 1))
        let psnr = squared == 0 ? Double.infinity : 10 * log10(255 * 255 / squared)
        print(String(format: "longlive-mpi.yaml vs longlive.yaml: PSNR %.1f dB", psnr))
        XCTAssertGreaterThanOrEqual(psnr, 35, "longlive-mpi.yaml and longlive.yaml differ beyond rounding")
    }

    /// A fast producer on rank 0 and a slow consumer (10 ms a packet) on rank 1: the producer never has more packets in flight than
    /// the edge's capacity (its credits), so it waits instead of filling memory, and every packet still arrives in order.
    func testSlowConsumerRankBoundsTheProducer() throws {
        let dir = try TemporaryFolder()
        let lines = dir.file("lines.txt")
        let graph = try MPIHarness.graph("""
        version: 1
        name: backpressure
        nodes:
          count: { type: source.counter, count: 60 }
          sink: { type: sink.collect, path: \(lines), cost_us: 10000, rank: 1, inputs: { in: { from: count.value, queue: 3 } } }
        """, in: dir)
        let r = try MPIHarness.run(ranks: 2, [graph, "--quiet", "--stats"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try XCTUnwrap(r.stderr.split(separator: "\n").first { $0.hasPrefix("rank 0: edge count.value -> sink.in -> rank 1:") }, r.stderr)
        let numbers = report.split(separator: ":").last!.split(whereSeparator: { !$0.isNumber && $0 != "." }).compactMap { Double($0) }
        // sent N, max in flight M of C credits, waited for credit K times (T ms)
        XCTAssertEqual(numbers[0], 60, String(report))
        XCTAssertLessThanOrEqual(numbers[1], 3, "more packets in flight than the edge's capacity: \(report)")
        XCTAssertEqual(numbers[2], 3, String(report))
        XCTAssertGreaterThan(numbers[3], 0, "a producer 3 ms/packet ahead of its consumer never waited for a credit: \(report)")
        // The receiving rank's queue never held more than the capacity either.
        let edge = try XCTUnwrap(r.stderr.split(separator: "\n").first { $0.contains("count.value<rank0.out -> sink.in (3, block): ") }, r.stderr)
        let depth = try XCTUnwrap(Int(edge.split(separator: " ").last!), String(edge))
        XCTAssertLessThanOrEqual(depth, 3, String(edge))
        let written = try String(contentsOfFile: lines, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(written.count, 61)
        XCTAssertEqual(written.last, "end 60")
        XCTAssertEqual(written.dropLast().map { String($0) }, (0..<60).map { "\($0) \($0)" })
    }

    /// A node failing on rank 2 stops every rank: each exits non-zero naming rank 2 and the node with its line, and the
    /// sink on rank 1 still finalizes its file.
    func testFailingNodeOnRankTwoStopsEveryRank() throws {
        let dir = try TemporaryFolder()
        let lines = dir.file("lines.txt")
        let graph = try MPIHarness.graph("""
        version: 1
        name: failing
        nodes:
          count: { type: source.counter, count: 1000000, interval_ms: 1 }
          work: { type: compute.work, rank: 1, inputs: { in: count.value } }
          fail: { type: compute.work, fail_at: 30, rank: 2, inputs: { in: work.out } }
          sink: { type: sink.collect, path: \(lines), rank: 1, inputs: { in: fail.out } }
        """, in: dir)
        let r = try MPIHarness.run(ranks: 3, [graph, "--quiet"])
        XCTAssertNotEqual(r.status, 0, r.stderr)
        for rank in 0..<3 {
            XCTAssertTrue(r.stderr.contains("rank \(rank): \(graph):6:3: error: node 'fail' (compute.work) on rank 2 failed: failing on purpose at position 30 (fail_at)"),
                          "rank \(rank) did not report the failure:\n\(r.stderr)")
        }
        let written = try String(contentsOfFile: lines, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(written.last, "end 30", "the sink on rank 1 did not finalize its file")
    }

    /// Ctrl-C on mpirun (SIGINT to mpirun, which stops the ranks with SIGTERM) finalizes the MP4 on rank 2.
    func testCtrlCOnMpirunFinalizesTheVideo() throws {
        let dir = try TemporaryFolder()
        let video = dir.file("endless.mp4")
        let graph = try MPIHarness.graph("""
        version: 1
        name: endless
        nodes:
          frames: { type: frames.pattern, frames: 100000000, batch: 4 }
          slow: { type: compute.work, cost_us: 20000, mode: sleep, rank: 1, inputs: { in: frames.frames } }
          video: { type: video.encoder, path: \(video), overwrite: true, rank: 2, inputs: { frames: slow.out } }
        """, in: dir)
        // mpirun sends SIGTERM N seconds after SIGINT and SIGKILL N seconds after that (N = 1 by default): 5 leaves
        // the ranks time to finalize on a loaded machine.
        let r = try MPIHarness.run(ranks: 3, [graph, "--quiet"], interruptAfter: 4, mpirunOptions: ["--mca", "odls_base_sigkill_timeout", "5"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("flowrun: rank 2 interrupted; its outputs were finalized"), r.stderr)
        let frames = try MPIHarness.decodedFrames(video)
        XCTAssertGreaterThan(frames.count, 0, "the interrupted run's MP4 has no frames")
        XCTAssertEqual(frames.count % (64 * 64 * 3), 0)
    }
}
