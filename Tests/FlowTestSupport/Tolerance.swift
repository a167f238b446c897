import Foundation
import FlowKit

/// How far a float32 result may lie from its reference, element by element:
///
///     |actual_i − expected_i|  ≤  relative·|expected_i|  +  λ·u·√(n·K)·M_i
///
/// Why this shape. A float32 sum of K terms t_j (a dot product, a convolution's taps, attention's
/// weighted values), evaluated in any order and blocking, rounds each of its K − 1 additions. To first
/// order in u = 2⁻²⁴ its error is Σ δ_j·s_j with |δ_j| ≤ u and s_j the partial sums, and however the
/// kernel orders or blocks the sum, |s_j| ≤ M = Σ|t_j| (an FMA only removes the product's rounding).
/// With the δ_j independent and of mean zero (the standard probabilistic model of rounding, Higham and
/// Mary, SIAM J. Sci. Comput. 2019), Hoeffding's inequality gives
///     P(|error| ≥ λ·u·√K·M) ≤ 2·exp(−λ²/2).
/// λ = 7 makes that 5e-11 per element; over the ~10⁶ elements the numeric suites check under each of
/// a handful of OpenBLAS kernels, a false failure has odds below 1e-3. An OpenBLAS kernel only changes
/// the order and blocking, i.e. which δ_j occur, so the bound holds on every kernel; a real bug (a
/// wrong index, a dropped term or bias, bf16 rounding of the products) is off by a fair fraction of M,
/// hundreds to thousands of times the bound.
///
/// n is the number of independent float32 evaluations in the comparison: 1 against a float64
/// reference, 2 when both sides are float32 (their errors add in variance). `relative` covers what
/// scales with the element itself: a float64 reference stored as float32 is off by up to u of itself
/// (our own last rounding is one of the K), so u by default; elementwise kernels built on polynomial
/// approximations (exp, erf, tanh) pass their own accuracy instead.
///
/// M_i is exact when the test can compute it: running the same bilinear kernel on the absolute values
/// of its inputs gives Σ|a·b| for every output (see `Tensor.absolute`).
///
/// A whole network hides its terms, so `network` models them instead: products of activations and
/// weights of both signs, whose partial sums wander like a random walk that drifts to the result,
/// E[s_j²] ≈ (j/K)²·e_i² + (j/K)·ρ² with ρ the RMS of the outputs. With δ_j uniform on ±u the error's
/// variance is (u²/3)·Σ E[s_j²] = u²·K·(e_i²/9 + ρ²/6) ≤ u²·K·(|e_i| + ρ)²/6, and λ of its standard
/// deviations give
///     λ·u·√(n·K/6)·(|e_i| + ρ),
/// with K the sum of the reduction lengths along the network's depth: each layer adds its rounding
/// errors to those carried in, in variance, and normalised layers pass errors on at the size of the
/// activations. Unlike the kernel bound this is a model, not a worst case: a network whose partial
/// sums grow far beyond its outputs, or that amplifies errors, breaks it, which is why each parity
/// test names its reductions and scripts/test reports error/bound on every OpenBLAS kernel.
public struct Tolerance: Sendable {
    /// float32 unit roundoff: round-to-nearest moves a result by at most u of its size.
    public static let unitRoundoff = 0x1p-24
    /// λ of the Hoeffding bound above.
    public static let confidence = 7.0

    /// The size of the terms behind each element.
    public enum Magnitude: Sendable {
        /// Σ|terms| for every element, same shape as the expected tensor.
        case perElement(Tensor)
        /// max|expected| over the whole tensor.
        case largestExpected
        /// |expected_i| + RMS(expected): the random-walk model of a network's sums.
        case activations
    }

    /// Bound on |actual − expected| / |expected| from roundings of the element itself.
    public var relative: Double
    /// What multiplies M_i: λ·u·√(n·K) for a reduction.
    public var coefficient: Double
    public var magnitude: Magnitude
    /// Fraction of max|expected| allowed on every element (see `elementwise`).
    public var floor: Double

    public init(relative: Double = Tolerance.unitRoundoff, coefficient: Double, magnitude: Magnitude, floor: Double = 0) {
        self.relative = relative
        self.coefficient = coefficient
        self.magnitude = magnitude
        self.floor = floor
    }

    /// λ·u·√(n·K): the coefficient for K rounded additions in each of n float32 evaluations.
    public static func roundingCoefficient(reductionLength: Double, evaluations: Int = 1) -> Double {
        confidence * unitRoundoff * (Double(evaluations) * reductionLength).squareRoot()
    }

    /// A sum of K terms per element with exact magnitudes M_i (usually `op(a.absolute, b.absolute)`).
    public static func reduction(length: Int, magnitudes: Tensor, evaluations: Int = 1) -> Tolerance {
        Tolerance(coefficient: roundingCoefficient(reductionLength: Double(length), evaluations: evaluations),
                  magnitude: .perElement(magnitudes))
    }

    /// λ·u·√(n·K/6): the coefficient of the network model.
    public static func networkCoefficient(reductionLength: Double, evaluations: Int = 1) -> Double {
        roundingCoefficient(reductionLength: reductionLength / 6, evaluations: evaluations)
    }

    /// A network: K summed over its depth, |expected_i| + RMS(expected) for the partial sums.
    public static func network(reductionLength: Double, evaluations: Int = 1) -> Tolerance {
        Tolerance(coefficient: networkCoefficient(reductionLength: reductionLength, evaluations: evaluations),
                  magnitude: .activations)
    }

    /// Elementwise kernels: `relative` of each element (the accuracy of their approximations) plus
    /// `absolute` of max|expected| for results near zero that come out of cancelling terms.
    public static func elementwise(relative: Double, absolute: Double) -> Tolerance {
        Tolerance(relative: relative, coefficient: 0, magnitude: .largestExpected, floor: absolute)
    }

    /// Bit-for-bit equality (copies, permutations, exact quantisation).
    public static let exact = Tolerance(relative: 0, coefficient: 0, magnitude: .largestExpected)
}
