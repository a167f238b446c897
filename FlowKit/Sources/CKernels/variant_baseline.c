// The portable variant: the compiler's baseline ISA for this target (SSE2 on x86-64).
#include <math.h>
#include "variants.h"

#define CK_TABLE ck_baseline_kernels
#define CK_TABLE_ISA CK_ISA_BASELINE
#define CK_TABLE_NAME "baseline"
#include "vector16.h"
#include "normal_cdf.h"
#include "kernels_body.h"
