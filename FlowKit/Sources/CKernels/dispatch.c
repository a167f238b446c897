// Picks the widest compiled variant the CPU and OS support, once, and routes the ck_* entry points
// through it. Explicit per-ISA functions (rather than target_clones ifuncs) let tests and benchmarks
// run every variant side by side and report which one is active.
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include "variants.h"

static int cpu_runs(ck_isa isa) {
    switch (isa) {
    case CK_ISA_BASELINE:
        return 1;
#if CK_HAVE_X86_VARIANTS
    // __builtin_cpu_supports also checks that the OS saves the wide registers (XCR0).
    case CK_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CK_ISA_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    default:
        return 0;
    }
}

const ck_kernels *ck_variant(ck_isa isa) {
    if (!cpu_runs(isa)) return NULL;
    switch (isa) {
    case CK_ISA_BASELINE: return &ck_baseline_kernels;
#if CK_HAVE_X86_VARIANTS
    case CK_ISA_AVX2: return &ck_avx2_kernels;
    case CK_ISA_AVX512: return &ck_avx512_kernels;
#endif
    default: return NULL;
    }
}

ck_isa ck_best_isa(void) {
    for (int isa = CK_ISA_COUNT - 1; isa > CK_ISA_BASELINE; isa--) {
        if (ck_variant((ck_isa)isa)) return (ck_isa)isa;
    }
    return CK_ISA_BASELINE;
}

// NULL until first use. Racing first uses all store the same table, so relaxed ordering suffices
// for the choice itself; acquire/release publishes the (constant) table contents.
static _Atomic(const ck_kernels *) active_table;

const ck_kernels *ck_active(void) {
    const ck_kernels *table = atomic_load_explicit(&active_table, memory_order_acquire);
    if (table) return table;
    table = ck_variant(ck_best_isa());
    atomic_store_explicit(&active_table, table, memory_order_release);
    return table;
}

int ck_select(ck_isa isa) {
    const ck_kernels *table = ck_variant(isa);
    if (!table) return 0;
    atomic_store_explicit(&active_table, table, memory_order_release);
    return 1;
}

void ck_scale(float *p, long n, float factor) { ck_active()->scale(p, n, factor); }
void ck_softmax_rows(const float *x, float *y, long rows, long n) { ck_active()->softmax_rows(x, y, rows, n); }
void ck_attention_tile(float *scores, long rows, long cols, float *row_max, float *row_sum,
                       float *out, long out_width) {
    ck_active()->attention_tile(scores, rows, cols, row_max, row_sum, out, out_width);
}
void ck_silu(const float *x, float *y, long n) { ck_active()->silu(x, y, n); }
void ck_sigmoid(const float *x, float *y, long n) { ck_active()->sigmoid(x, y, n); }
void ck_gelu_tanh(const float *x, float *y, long n) { ck_active()->gelu_tanh(x, y, n); }
void ck_gelu_erf(const float *x, float *y, long n) { ck_active()->gelu_erf(x, y, n); }
void ck_norm_rows(const float *x, float *y, long rows, long n, const float *weight, const float *bias,
                  int centered, float epsilon) {
    ck_active()->norm_rows(x, y, rows, n, weight, bias, centered, epsilon);
}
void ck_group_norm_channels_last(const float *x, float *y, long items, long pixels, long channels, long groups,
                                 const float *weight, const float *bias, float epsilon, int silu) {
    ck_active()->group_norm_channels_last(x, y, items, pixels, channels, groups, weight, bias, epsilon, silu);
}
