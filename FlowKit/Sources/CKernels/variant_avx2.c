// AVX2 + FMA variant (x86-64 since Haswell / Zen). Only dispatch.c decides when it may run.
#include <math.h>
#include "variants.h"

#if CK_HAVE_X86_VARIANTS
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define CK_TABLE ck_avx2_kernels
#define CK_TABLE_ISA CK_ISA_AVX2
#define CK_TABLE_NAME "avx2"
#include "vector16.h"
#include "normal_cdf.h"
#include "kernels_body.h"
#pragma clang attribute pop
#endif
