// Φ(x), the standard normal CDF = ½(1 + erf(x/√2)), per lane: what exact GELU needs. Private to
// CKernels; include after vector16.h inside a variant's target region.
//
// libm's erff is scalar, and 1 + erff(x/√2) cancels for negative x (at x = -4 only ~3 correct
// digits remain). Here, with z = x/√2:
//   |z| < 1:  erf(z) = z·P(z²), P of degree 6;
//   |z| >= 1: erfc(|z|) = e^(-z²)·R(t), t = 1/(1 + |z|/2), R of degree 8, and Φ is ½·erfc(|z|)
//             for z < 0 (no cancellation) or 1 - ½·erfc(z) for z > 0.
// P and R are our own least-squares fits, in relative error on Chebyshev nodes (|z| <= 1 and
// 1 <= z <= 13.5, float64 references from Python's math.erf/erfc), rounded to float: relative
// error under 1e-7 for both. The error that remains comes from rounding z² (~1e-7·z² relative in
// e^(-z²)), so Φ keeps ~2e-6 relative accuracy down to x = -6, where erff had none.

CK_INLINE v16f vnormal_cdf(v16f x) {
    v16f z = x * 0.70710678118654752f;
    v16f s = 0.5f * x * x;  // z² from x directly: one rounding instead of two
    v16f p = splat(7.84725926e-05f);
    p = p * s - 0.000800818903f;
    p = p * s + 0.00518809911f;
    p = p * s - 0.0268536918f;
    p = p * s + 0.112835824f;
    p = p * s - 0.37612626f;
    p = p * s + 1.12837911f;
    v16f central = 0.5f + 0.5f * z * p;

    v16f magnitude = (v16f)((v16i)z & 0x7FFFFFFF);
    v16f t = 1.0f / (1.0f + 0.5f * magnitude);
    v16f r = splat(0.0910117775f);
    r = r * t - 0.217981562f;
    r = r * t + 0.0706860498f;
    r = r * t + 0.0702925622f;
    r = r * t + 0.174341261f;
    r = r * t + 0.248277441f;
    r = r * t + 0.2818048f;
    r = r * t + 0.282121569f;
    r = r * t - 9.64341893e-07f;
    v16f half_erfc = 0.5f * vexp(-s) * r;
    v16f tails = vselect(z < 0.0f, half_erfc, 1.0f - half_erfc);
    return vselect(magnitude < 1.0f, central, tails);
}
