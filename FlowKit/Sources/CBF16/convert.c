// f32 -> bf16 with round-to-nearest-even: one instruction per 16 values where the CPU has
// AVX512-BF16 (every CPU the bf16 path runs on), the same rounding in plain C elsewhere.
#include <stdint.h>
#include <string.h>
#include "cbf16.h"

static inline uint16_t round_one(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40);   // quiet NaN
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
static void convert_avx512bf16(const float *x, uint16_t *y, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(x + i));
        _mm256_storeu_si256((__m256i *)(y + i), (__m256i)v);
    }
    if (i < n) {
        __mmask16 mask = (__mmask16)((1u << (n - i)) - 1);
        __m256bh v = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, x + i));
        _mm256_mask_storeu_epi16(y + i, mask, (__m256i)v);
    }
}
#endif

void cbf16_from_f32(const float *x, uint16_t *y, long n) {
#if defined(__x86_64__)
    static int native = -1;
    if (native < 0) { __builtin_cpu_init(); native = __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"); }
    if (native) { convert_avx512bf16(x, y, n); return; }
#endif
    for (long i = 0; i < n; i++) y[i] = round_one(x[i]);
}
