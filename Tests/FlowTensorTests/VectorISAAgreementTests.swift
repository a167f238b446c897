import XCTest
import FlowKit
import FlowTestSupport

/// The variants differ only in vector width and in fused multiply-adds (AVX2 and AVX-512 contract
/// a·b + c into one rounding), so on the same input they agree to a few float32 ulps. Checked on
/// inputs the fixtures do not cover: every tail length, extreme arguments and -inf.
final class VectorISAAgreementTests: XCTestCase {
    override func tearDown() {
        VectorISA.select(VectorISA.best)
        super.tearDown()
    }

    /// Rows of every length 1...40 (all tails of a 16-lane vector), values spread over ±30 with a
    /// few extremes, and -inf entries as masked attention scores have.
    private func input(rows: Int, length n: Int) -> Tensor {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D &* UInt64(n + 1)
        return Tensor(shape: [rows, n]) { p in
            for i in 0..<p.count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let u = Float(Int32(truncatingIfNeeded: state >> 32)) / Float(Int32.max)
                switch i % 23 {
                case 5: p[i] = 95 * u      // beyond the exp clamp on either side
                case 11 where i % 2 == 1: p[i] = -.infinity
                default: p[i] = 30 * u
                }
            }
        }
    }

    private func outputs(_ x: Tensor) -> [(String, Tensor)] {
        let finite = Tensor(shape: x.shape) { p in
            x.withUnsafeFloats { s in for i in 0..<s.count { p[i] = s[i].isFinite ? s[i] : -50 } }
        }
        return [
            ("softmax", Kernels.softmax(x)),
            ("silu", Kernels.silu(finite)),
            ("sigmoid", Kernels.sigmoid(finite)),
            ("gelu tanh", Kernels.gelu(finite, approximation: .tanh)),
            ("gelu erf", Kernels.gelu(finite, approximation: .erf)),
            ("layernorm", Kernels.layerNorm(finite)),
            ("rmsnorm", Kernels.rmsNorm(finite)),
        ]
    }

    func testVariantsAgreeOnEveryTailLength() {
        for n in 1...40 {
            let x = input(rows: 3, length: n)
            VectorISA.select(.baseline)
            let reference = outputs(x)
            for isa in VectorISA.allCases where isa != .baseline && isa.isSupported {
                VectorISA.select(isa)
                for ((name, actual), (_, expected)) in zip(outputs(x), reference) {
                    // 4 ulps relative; 1e-7 of the largest magnitude for results near zero.
                    assertWithin(actual, expected, .elementwise(relative: 4.8e-7, absolute: 1e-7), "\(isa) vs baseline \(name) n=\(n)")
                }
            }
        }
    }

    func testExpFlushesMaskedScoresToExactZero() {
        for isa in VectorISA.allCases where isa.isSupported {
            VectorISA.select(isa)
            // Masked (-inf) and far-below-max scores get exactly zero weight; an all -inf row other
            // than one key puts all weight on that key.
            let row: [Float] = [0, -.infinity, -200, -.infinity, -88, 1e-3] + [Float](repeating: -.infinity, count: 13)
            let y = Kernels.softmax(Tensor(shape: [1, row.count]) { p in for i in 0..<row.count { p[i] = row[i] } }).toArray()
            XCTAssertEqual(y[1], 0, "\(isa)"); XCTAssertEqual(y[2], 0, "\(isa)"); XCTAssertEqual(y[3], 0, "\(isa)")
            XCTAssertEqual(y[4], 0, "\(isa)")
            XCTAssertEqual(y[0] + y[5], 1, accuracy: 1e-6, "\(isa)")
            XCTAssertTrue(y[6...].allSatisfy { $0 == 0 }, "\(isa)")
        }
    }
}
