// Sixteen-lane float vectors in clang's generic vector extension. Every variant's translation
// unit includes this inside its own target region, so the same source becomes one zmm register
// per vector with AVX-512, two ymm with AVX2 and four xmm on baseline x86-64.
// Private to CKernels; include after the system headers and inside a variant's target pragma.
#define CK_LANES 16

// The helpers below pass 16-lane vectors by value, which has no fixed ABI below AVX-512. They are
// static and always inlined, so no call ever crosses an ABI boundary: silence clang's -Wpsabi.
#pragma clang diagnostic ignored "-Wpsabi"
#define CK_INLINE static inline __attribute__((always_inline))

typedef float v16f __attribute__((vector_size(64)));
typedef int v16i __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

CK_INLINE v16f splat(float x) { return (v16f){x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x}; }

// memcpy keeps unaligned loads and stores free of alignment and aliasing assumptions.
CK_INLINE v16f vload(const float *p) { v16f v; __builtin_memcpy(&v, p, sizeof v); return v; }
CK_INLINE void vstore(float *p, v16f v) { __builtin_memcpy(p, &v, sizeof v); }

/// The first k (< 16) floats at p, the other lanes `fill`: tails run through the vector code, so
/// every element of a row gets the same arithmetic.
CK_INLINE v16f vload_partial(const float *p, long k, float fill) {
    float buffer[CK_LANES];
    for (long i = 0; i < CK_LANES; i++) buffer[i] = i < k ? p[i] : fill;
    return vload(buffer);
}

CK_INLINE void vstore_partial(float *p, long k, v16f v) {
    float buffer[CK_LANES];
    vstore(buffer, v);
    for (long i = 0; i < k; i++) p[i] = buffer[i];
}

/// mask ? a : b per lane (mask lanes all ones or all zeros, as comparisons give).
CK_INLINE v16f vselect(v16i mask, v16f a, v16f b) { return (v16f)((mask & (v16i)a) | (~mask & (v16i)b)); }

/// Sum of the lanes as a balanced tree (error grows with log2(16), not 16).
CK_INLINE float hsum(v16f v) {
    v8f a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    v4f b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    return (b[0] + b[2]) + (b[1] + b[3]);
}

CK_INLINE v16f vmax(v16f a, v16f b) { return vselect(a > b, a, b); }

/// Largest lane, by a shuffle tree: four dependent steps instead of fifteen scalar compares,
/// which matters once per row of a 64-key attention tile.
CK_INLINE float hmax(v16f v) {
    v = vmax(v, __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
    v = vmax(v, __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11));
    v = vmax(v, __builtin_shufflevector(v, v, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
    v = vmax(v, __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
    return v[0];
}

/// e^x per lane, relative error ~1e-7. x = n·ln2 + r with |r| <= ln2/2, a degree-7 Taylor
/// polynomial for e^r (truncation < 1e-8 relative), and 2^n built in the exponent bits.
/// Inputs are clamped to [-87, 88] so 2^n stays a normal float, and e^x for x < -87 is exactly 0,
/// so masked (-inf) attention scores get exactly zero weight. NaN stays NaN.
CK_INLINE v16f vexp(v16f x) {
    v16f c = vselect(x < -87.0f, splat(-87.0f), x);
    c = vselect(c > 88.0f, splat(88.0f), c);
    // Adding 1.5·2^23 rounds to an integer that lands in the low mantissa bits.
    const float shifter = 12582912.0f;
    v16f t = c * 1.442695040888963f + shifter;
    v16f n = t - shifter;
    // ln2 in two parts, the first exact in float with spare low bits, so n·ln2 subtracts cleanly.
    v16f r = c - n * 0.693145751953125f - n * 1.428606765330187e-06f;
    v16f p = splat(1.0f / 5040);
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    v16i exponent = ((v16i)t - 0x4B400000) + 127;
    v16f scale = (v16f)(exponent << 23);
    return vselect(x < -87.0f, splat(0.0f), p * scale);
}
