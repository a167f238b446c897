// The compiled variants' tables (private to CKernels). A table exists only where its ISA can be
// compiled (x86-64 for AVX2 and AVX-512); dispatch.c checks the CPU before handing one out.
#include <stdlib.h>
#include "ckernels.h"

#if defined(__x86_64__) || defined(__i386__)
#define CK_HAVE_X86_VARIANTS 1
extern const ck_kernels ck_avx2_kernels;
extern const ck_kernels ck_avx512_kernels;
#endif
extern const ck_kernels ck_baseline_kernels;
