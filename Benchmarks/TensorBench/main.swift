// TensorBench: GFLOPS of the numeric core on this machine, printed (timings never live in tests).
//
//   swift build -c release --scratch-path .build-numeric --product TensorBench
//   .build-numeric/release/TensorBench [--blas-kernel NAME] [--repeats N] [--rounds N] [--threads N]
//                                      [--only sgemm|concurrent|linear|attention|elementwise|conv]
//                                      [--vector-isa baseline|avx2|avx512]
//
// Measures, in one run: 2048³ (and 192³) sgemm with OpenBLAS's own CPU detection, with the Haswell
// kernel and with the kernel flowrun selects, each in child processes of this binary (the kernel is
// fixed when OpenBLAS loads), alternating kernels for --rounds rounds so that load from other
// processes hits all of them alike; linear layers at world-tiny shapes; tiled attention over sink +
// window + current-block key sets, with the tile-GEMM ceiling as attention runs them; elementwise
// kernels under every vector variant (VectorISA) the CPU runs. The header says which variant is
// active (--vector-isa forces one). Section ratios use a 2048³ sgemm measured in this process just
// before and after the section. Figures are medians. `conv`: the VAE decoder's convolutions through im2col +
// GEMM and through oneDNN's convolution primitive (channels-last), f32 and bf16, with the machine's summary.
import FlowKit
#if canImport(Glibc)
import Glibc
#endif

let outcome = BLASRuntime.ensureBestKernel()
let options = BenchOptions(CommandLine.arguments)
if let threads = options.threads { BLASRuntime.setThreads(threads) }
if let name = options.vectorISA {
    guard let isa = VectorISA.allCases.first(where: { $0.description == name }), VectorISA.select(isa) else {
        print("--vector-isa \(name): not one this CPU runs (\(VectorISA.allCases.filter(\.isSupported)))")
        exit(2)
    }
}

if let size = options.sgemmChildSize {
    // Child mode: one sgemm measurement under whatever kernel this process loaded.
    print("\(BLASRuntime.coreName) \(SgemmBench.gflops(size: size, repeats: options.repeats))")
    exit(0)
}

let cpu = CPUFeatures.current()
print("TensorBench")
print("  machine: \(cpu.modelName), \(cpu.logicalCores) logical cores, avx512f: \(cpu.flags.contains("avx512f"))")
print("  load:    \(readLoadAverage()) (1/5/15-minute load average at start; timings share the CPUs)")
print("  BLAS:    \(BLASRuntime.description)")
print("  vectors: elementwise kernels run the \(VectorISA.active) variant (best here: \(VectorISA.best); "
      + "this CPU runs \(VectorISA.allCases.filter(\.isSupported).map(\.description).joined(separator: ", ")))")
print("  startup: \(outcome)")
print("  repeats: \(options.repeats) per measurement (median), \(options.rounds) rounds per kernel")
print("")

let selected = BLASRuntime.coreName

/// Runs `section` between two in-process 2048³ sgemm measurements and returns their mean.
func bracketedReference(_ section: () -> Void) -> Double {
    let before = SgemmBench.gflops(size: 2048, repeats: 3)
    section()
    let after = SgemmBench.gflops(size: 2048, repeats: 3)
    return (before + after) / 2
}

if options.runs("sgemm") {
    print("sgemm, kernel comparison (child processes, kernels alternated):")
    let kernels: [String?] = [nil, "Haswell", selected]
    for size in [2048, 192] {
        var samples = [Int: [Double]](), loadedNames = [Int: String]()
        for _ in 0..<options.rounds {
            for (i, kernel) in kernels.enumerated() {
                guard let (loaded, gflops) = SgemmBench.runChild(kernel: kernel, size: size, repeats: options.repeats,
                                                                  threads: options.threads) else { continue }
                samples[i, default: []].append(gflops)
                loadedNames[i] = loaded
            }
        }
        for (i, kernel) in kernels.enumerated() {
            let all = samples[i] ?? []
            print("  \(String(size).padding(4))³ asked \((kernel ?? "(detect)").padding(10)) loaded \((loadedNames[i] ?? "failed").padding(10)) "
                  + "\(format(median(all))) GFLOPS  (rounds: \(all.map(format).joined(separator: ", ")))")
        }
        let ratio = median(samples[2] ?? []) / median(samples[1] ?? [])
        print("  selected/Haswell at \(size)³: \(format(ratio))x" + (size == 2048 ? " (target >= 1.8x)" : ""))
    }
    print("")
}

if options.runs("conv") {
    print(MachineSummary.text)
    ConvBench.run(repeats: options.repeats)
}

if options.runs("concurrent") {
    // Pipeline nodes call BLAS at the same time. Compare two concurrent callers under each thread budget.
    print("two concurrent callers of linear 256 x 768 -> 768 (aggregate):")
    let saved = BLASRuntime.threads
    for threads in [saved, 1] {
        BLASRuntime.setThreads(threads)
        let g = LinearBench.concurrentGFLOPS(callers: 2, rows: 256, features: 768, repeats: options.repeats)
        print("  OpenBLAS threads \(threads): \(format(g)) GFLOPS")
    }
    BLASRuntime.setThreads(saved)
    print("")
}

if options.runs("linear") {
    print("linear y = x·Wᵀ + b (world-tiny shapes), \(selected):")
    var linearRates = [Double]()
    let reference = bracketedReference {
        for rows in [64, 256, 1024] {
            for (inF, outF) in [(256, 256), (384, 1536), (1536, 384), (768, 768), (1536, 1536)] {
                let g = LinearBench.gflops(rows: rows, inFeatures: inF, outFeatures: outF, repeats: options.repeats)
                linearRates.append(g)
                print("  rows \(String(rows).padding(5)) \(String(inF).padding(5)) -> \(String(outF).padding(5)) \(format(g)) GFLOPS")
            }
        }
    }
    let m = median(linearRates)
    print("  in-process 2048³ sgemm around this section: \(format(reference)) GFLOPS")
    print("  median \(format(m)) GFLOPS = \(format(100 * m / reference))% of it (target >= 85%); "
          + "min \(format(100 * (linearRates.min() ?? 0) / reference))%, max \(format(100 * (linearRates.max() ?? 0) / reference))%")
    // Small-M linears: does OpenBLAS's own threading pay at 64 rows? Thread budgets alternated
    // within each round, so other processes' load hits both alike; also the 2048³ rate per budget.
    let budgets = Array(Set([BLASRuntime.threads, 1])).sorted(by: >)
    if budgets.count > 1 {
        let saved = BLASRuntime.threads
        var rates = [Int: [Double]](), references = [Int: [Double]]()
        for _ in 0..<options.rounds {
            for threads in budgets {
                BLASRuntime.setThreads(threads)
                for (inF, outF) in [(256, 256), (768, 768), (1536, 1536)] {
                    rates[threads, default: []].append(
                        LinearBench.gflops(rows: 64, inFeatures: inF, outFeatures: outF, repeats: options.repeats))
                }
                references[threads, default: []].append(SgemmBench.gflops(size: 2048, repeats: 3))
            }
        }
        BLASRuntime.setThreads(saved)
        print("  rows 64 (256², 768², 1536²) by OpenBLAS thread budget, \(options.rounds) rounds alternated: " + budgets.map { t in
            "\(t) thread(s) median \(format(median(rates[t] ?? []))) GFLOPS (2048³ \(format(median(references[t] ?? []))))"
        }.joined(separator: "; "))
    }
    print("")
}

if options.runs("attention") {
    print("attention, sink + window + current block (tiled, online softmax, block-causal mask):")
    var attentionRates = [Double]()
    let reference = bracketedReference {
        for queries in [64, 256] {
            for keys in [256, 512, 1024] {
                let r = AttentionBench.measure(heads: 6, headDim: 64, queries: queries, keys: keys, repeats: options.repeats)
                attentionRates.append(r.gflops)
                print("  heads 6 dim 64 queries \(String(queries).padding(4)) keys \(String(keys).padding(5)) "
                      + "\(format(r.tokensPerSecond)) query tokens/s  \(format(r.gflops)) GFLOPS")
            }
        }
        let single = AttentionBench.measure(heads: 6, headDim: 64, queries: 256, keys: 512, repeats: options.repeats, oneSegment: true)
        print("  same keys as one segment, queries 256 keys 512: \(format(single.gflops)) GFLOPS")
        print("  queries 256 keys 512 per vector variant: " + perVariant { isa in
            "\(isa) \(format(AttentionBench.measure(heads: 6, headDim: 64, queries: 256, keys: 512, repeats: options.repeats).gflops))"
        } + " GFLOPS")
        // The two GEMMs of one attention tile bound what attention can reach.
        let scores = SgemmBench.gflops(m: 256, n: 512, k: 64, transposeB: true, repeats: options.repeats)
        let values = SgemmBench.gflops(m: 256, n: 64, k: 512, transposeB: false, repeats: options.repeats)
        print("  ceiling: the tile GEMMs alone, q·kᵀ 256×512×64 \(format(scores)) GFLOPS, p·v 256×64×512 \(format(values)) GFLOPS")
        // What attention runs with a multi-threaded OpenBLAS: 64×64 tiles (single-threaded GEMMs)
        // on as many lanes as BLAS threads.
        let lanes = BLASRuntime.threads
        let tiles = TileGEMMBench.gflops(lanes: lanes, rows: 64, cols: 64, d: 64, repeats: options.repeats)
        print("  ceiling as tiled: \(lanes) lane(s) of q·kᵀ 64×64×64 + p·v 64×64×64, single-threaded GEMMs: \(format(tiles)) GFLOPS")
    }
    let m = median(attentionRates)
    print("  in-process 2048³ sgemm around this section: \(format(reference)) GFLOPS")
    print("  median \(format(m)) GFLOPS = \(format(100 * m / reference))% of it (target >= 50%)")
}
if options.runs("elementwise") {
    // Every vector variant this CPU runs, side by side in this process.
    print("")
    print("elementwise kernels on 1536 x 512 (ns per element), per vector variant:")
    let x = Tensor(shape: [6 * 256, 512]) { fillRandom($0, seed: 9) }
    let kernels: [(String, () -> Tensor)] = [
        ("softmax", { Kernels.softmax(x) }), ("silu", { Kernels.silu(x) }), ("gelu tanh", { Kernels.gelu(x) }),
        ("gelu erf", { Kernels.gelu(x, approximation: .erf) }), ("layernorm", { Kernels.layerNorm(x) }),
        ("rmsnorm", { Kernels.rmsNorm(x) }),
    ]
    for (name, kernel) in kernels {
        print("  \(name.padding(10)) " + perVariant { isa in
            "\(isa) \(format(secondsPerCall(repeats: options.repeats) { _ = kernel() } / Double(x.count) * 1e9))"
        } + " ns")
    }
}

/// `body` run under each vector variant the CPU supports, joined; restores the active variant.
func perVariant(_ body: (VectorISA) -> String) -> String {
    let saved = VectorISA.active
    defer { VectorISA.select(saved) }
    return VectorISA.allCases.filter(\.isSupported).map { isa in
        VectorISA.select(isa)
        return body(isa)
    }.joined(separator: ", ")
}
