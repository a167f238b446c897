// AVX-512F variant: one 16-lane vector per zmm register. Only dispatch.c decides when it may run.
#include <math.h>
#include "variants.h"

#if CK_HAVE_X86_VARIANTS
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#define CK_TABLE ck_avx512_kernels
#define CK_TABLE_ISA CK_ISA_AVX512
#define CK_TABLE_NAME "avx512"
#include "vector16.h"
#include "normal_cdf.h"
#include "kernels_body.h"
#pragma clang attribute pop
#endif
