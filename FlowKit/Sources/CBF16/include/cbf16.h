// bf16 GEMMs through oneDNN (Debian libdnnl), for the heavy layers when a graph asks for
// `precision: bf16`. oneDNN picks its kernel for the CPU it runs on (AMX tiles, AVX512-BF16 dot
// products); flowrun only offers bf16 where the CPU has one of them, f32 (OpenBLAS) otherwise.
#ifndef FLOWRUN_CBF16_H
#define FLOWRUN_CBF16_H

#include <stdint.h>
#include "cconv.h"     // the convolutions share this target's engine, streams and scratchpads

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the CPU has native bf16 arithmetic (AVX512-BF16 or AMX-BF16) and oneDNN made its engine.
int cbf16_available(void);
/// The kernel family oneDNN chose for a representative GEMM (e.g. "brg:avx512_core_amx_bf16"),
/// or a reason it is unavailable. Never NULL.
const char *cbf16_kernel_name(void);

/// f32 -> bf16, rounding to nearest even (NaN stays NaN).
void cbf16_from_f32(const float *x, uint16_t *y, long n);

/// C[m×n] = A[m×k] · B + bias (+ C when accumulate), bf16 inputs, f32 output, all row-major.
/// B is [k×n], or [n×k] when b_transposed (a [out, in] weight). bias: NULL, n values (one per
/// column) or, with bias_per_row, m values (one per row: a convolution's output channels).
/// Runs on the calling thread (one thread per call: the pipeline's stages are the parallelism).
/// Returns 0, or a oneDNN status (nonzero) when it could not run; then C is unspecified.
int cbf16_gemm(long m, long n, long k, const uint16_t *a, const uint16_t *b, int b_transposed,
               const float *bias, int bias_per_row, int accumulate, float *c);

/// A constant [n×k] bf16 weight (a linear layer's [out, in]) kept in the blocked layouts oneDNN's kernels
/// read fastest: reordered once per layout a GEMM asks for, not packed again on every call.
typedef struct cbf16_packed cbf16_packed;
/// Copies `w`; NULL when out of memory.
cbf16_packed *cbf16_packed_create(long n, long k, const uint16_t *w);
void cbf16_packed_destroy(cbf16_packed *w);
/// C[m×n] = A[m×k] · wᵀ (+ bias, n values): as cbf16_gemm with b_transposed, against packed weights.
int cbf16_gemm_packed(long m, const uint16_t *a, cbf16_packed *w, const float *bias, float *c);

/// A constant [n×k] f32 weight (a linear layer's [out, in]) held only in the blocked layout oneDNN's f32 matmul
/// reads, packed once (OpenBLAS packs the weight again on every call). Runs on any CPU oneDNN supports.
typedef struct cf32_packed cf32_packed;
/// Packs a copy of `w`; NULL when oneDNN has no engine or memory ran out.
cf32_packed *cf32_packed_create(long n, long k, const float *w);
void cf32_packed_destroy(cf32_packed *w);
/// Writes the weight back as [n×k] into `w`. Returns 0 or a oneDNN status.
int cf32_packed_unpack(cf32_packed *p, float *w);
/// C[m×n] = A[m×k] · wᵀ (+ bias, n values), f32, row-major, on the calling thread. Returns 0 or a oneDNN status.
int cf32_gemm_packed(long m, const float *a, cf32_packed *w, const float *bias, float *c);

#ifdef __cplusplus
}
#endif
#endif
