import XCTest
import FlowKit
import FlowTestSupport

/// The elementwise kernels exist once per vector ISA (CKernels) and are dispatched at run time.
/// These tests pin the choice on this CPU and hold every variant to the same golden fixtures.
final class VectorISATests: XCTestCase {
    override func tearDown() {
        VectorISA.select(VectorISA.best)
        super.tearDown()
    }

    func testDispatchPicksTheWidestVariantTheCPURuns() {
        let flags = CPUFeatures.current().flags
        let expected: VectorISA
        if flags.contains("avx512f") { expected = .avx512 }
        else if flags.contains("avx2") && flags.contains("fma") { expected = .avx2 }
        else { expected = .baseline }
        XCTAssertEqual(VectorISA.best, expected, "flags avx512f=\(flags.contains("avx512f")) avx2=\(flags.contains("avx2"))")
        XCTAssertEqual(VectorISA.active, expected)
        XCTAssertTrue(VectorISA.baseline.isSupported)
        #if arch(x86_64)
        // The development machine has AVX-512: the fast path must be the one that runs here.
        if flags.contains("avx512f") { XCTAssertTrue(VectorISA.avx512.isSupported && VectorISA.avx2.isSupported) }
        #endif
    }

    func testSelectSwitchesAndRefusesWhatTheCPULacks() {
        for isa in VectorISA.allCases {
            XCTAssertEqual(VectorISA.select(isa), isa.isSupported, "\(isa)")
            if isa.isSupported { XCTAssertEqual(VectorISA.active, isa) }
        }
    }

    /// Every variant the CPU runs meets the unchanged golden tolerances of KernelGoldenTests.
    func testEveryVariantMatchesTheGoldenFixtures() throws {
        let activations = try Fixture("activations"), norms = try Fixture("norms"), attention = try Fixture("attention")
        let firsts = [0, 5, 40]
        let segments = try (0..<3).map {
            KVSegment(keys: try attention["k\($0)"], values: try attention["v\($0)"], firstPosition: firsts[$0])
        }
        for isa in VectorISA.allCases where isa.isSupported {
            XCTAssertTrue(VectorISA.select(isa))
            let x = try activations["x"]
            assertWithin(Kernels.gelu(x, approximation: .erf), try activations["gelu_erf"], .golden, "\(isa) gelu erf")
            assertWithin(Kernels.gelu(x, approximation: .tanh), try activations["gelu_tanh"], .golden, "\(isa) gelu tanh")
            assertWithin(Kernels.silu(x), try activations["silu"], .golden, "\(isa) silu")
            assertWithin(Kernels.softmax(try activations["s"]), try activations["softmax"], .golden, "\(isa) softmax")
            let nx = try norms["x"], w = try norms["w"]
            assertWithin(Kernels.layerNorm(nx, weight: w, bias: try norms["b"], epsilon: 1e-5), try norms["layernorm"], .golden, "\(isa) layernorm")
            assertWithin(Kernels.rmsNorm(nx, weight: w, epsilon: 1e-6), try norms["rmsnorm"], .golden, "\(isa) rmsnorm")
            assertWithin(Kernels.groupNorm(try norms["g"], groups: 3, weight: try norms["gw"], bias: try norms["gb"], epsilon: 1e-5),
                         try norms["groupnorm"], .golden, "\(isa) groupnorm")
            for (mask, name) in [(AttentionMask.none, "none"), (.causal, "causal"), (.blockCausal(blockSize: 5), "block")] {
                let y = Kernels.attention(query: try attention["q"], segments: segments, queryFirstPosition: 40, mask: mask)
                assertWithin(y, try attention["y_" + name], .attention(try attention["q"], segments, queryFirstPosition: 40, mask: mask),
                             "\(isa) attention mask \(name)")
            }
        }
    }
}
