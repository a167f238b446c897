import Foundation

// MPIBench: what crossing ranks costs, and what a pipeline across ranks gives.
//
//   swift build -c release --product flowrun --product MPIBench && .build/release/MPIBench
//
// Without arguments it runs everything side by side: `mpirun -np 2 MPIBench hop` (per-hop latency and throughput
// for 100 KB and 4 MB packets), then longlive.yaml in one process against longlive-mpi.yaml on three ranks, and
// prints the 4-host estimate from the measured per-stage times. `MPIBench hop` is the half that runs under mpirun.
let args = Array(CommandLine.arguments.dropFirst())
do {
    if args.first == "hop" { try HopBench.run() } else { try PipelineBench.run(frames: args.first.flatMap(Int.init) ?? 240) }
} catch {
    FileHandle.standardError.write(Data("MPIBench: \(error)\n".utf8))
    exit(1)
}
