// Convolutions through oneDNN's own convolution primitives (f32, or bf16 on CPUs with native bf16),
// on channels-last activations: NHWC for 2D, NDHWC for 3D (a causal 3D convolution is a valid-in-time
// 3D convolution over [cached frames + new frames], so frames stay the outer dimension throughout).
#ifndef FLOWRUN_CCONV_H
#define FLOWRUN_CCONV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when oneDNN made its CPU engine (f32 convolutions then run on any CPU).
int cconv_available(void);

/// A constant convolution weight and bias, reordered into the layout each primitive asks for the first
/// time it is asked (once per layout; a mutex guards the layout list, so a model can be shared).
typedef struct cconv_weights cconv_weights;
/// weight: f32 [out, in, kd, kh, kw] (kd = 1 for a 2D convolution, `spatial` 2 or 3); bias: `out`
/// f32 values or NULL. bf16: the weight is held in bf16 and the convolution reads bf16 activations.
/// Copies both; NULL when out of memory.
cconv_weights *cconv_weights_create(int spatial, long out, long in, const long kernel[3],
                                    const float *weight, const float *bias, int bf16);
void cconv_weights_destroy(cconv_weights *w);

/// dst[n, d', h', w', out] (+= when accumulate) = conv(src[n, d, h, w, in]) + bias: channels-last,
/// src f32 (bf16 bits for a bf16 weight), dst f32. size = {d, h, w} (d = 1 in 2D), stride and
/// padding per dimension (padding on both sides; none in d for a 2D convolution).
/// Runs on the calling thread with its own cached primitive. Returns 0 or a oneDNN status.
int cconv_forward(cconv_weights *w, long batch, const long size[3], const long stride[3], const long padding[3],
                  const void *src, int accumulate, float *dst);

/// The implementation oneDNN picked for this shape (e.g. "brg:avx512_core_amx"), written into `name`.
int cconv_implementation(cconv_weights *w, long batch, const long size[3], const long stride[3],
                         const long padding[3], char *name, long capacity);

#ifdef __cplusplus
}
#endif
#endif
