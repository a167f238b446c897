// Hot f32 loops of FlowTensor (exp, softmax, activations, row norms), compiled once per vector ISA
// and chosen at run time, so one binary runs everywhere and uses AVX-512 where the CPU has it.
// Swift's SIMD types compile to the baseline ISA (SSE2 on x86-64); these C variants do not.
#ifndef FLOWRUN_CKERNELS_H
#define FLOWRUN_CKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets a variant is compiled for. Higher is wider.
typedef enum {
    CK_ISA_BASELINE = 0,  // whatever the target's baseline is (SSE2 on x86-64, NEON on arm64)
    CK_ISA_AVX2 = 1,      // x86-64 AVX2 + FMA
    CK_ISA_AVX512 = 2,    // x86-64 AVX-512F
    CK_ISA_COUNT = 3
} ck_isa;

/// One compiled variant: every kernel for one ISA.
typedef struct ck_kernels {
    ck_isa isa;
    const char *name;
    /// p[i] *= factor.
    void (*scale)(float *p, long n, float factor);
    /// Softmax of `rows` rows of n contiguous floats, x → y (x == y allowed).
    void (*softmax_rows)(const float *x, float *y, long rows, long n);
    /// One key tile of attention's online softmax: see ck_attention_tile.
    void (*attention_tile)(float *scores, long rows, long cols, float *row_max, float *row_sum,
                           float *out, long out_width);
    /// y = x · sigmoid(x).
    void (*silu)(const float *x, float *y, long n);
    /// y = 1 / (1 + e^-x).
    void (*sigmoid)(const float *x, float *y, long n);
    /// y = GELU with the tanh approximation.
    void (*gelu_tanh)(const float *x, float *y, long n);
    /// y = GELU, exact (erf) form.
    void (*gelu_erf)(const float *x, float *y, long n);
    /// Row norms: see ck_norm_rows.
    void (*norm_rows)(const float *x, float *y, long rows, long n, const float *weight, const float *bias,
                      int centered, float epsilon);
    /// Group norm on channels-last data: see ck_group_norm_channels_last.
    void (*group_norm_channels_last)(const float *x, float *y, long items, long pixels, long channels, long groups,
                                     const float *weight, const float *bias, float epsilon, int silu);
} ck_kernels;

/// The variant for `isa`, or NULL when it was not compiled in or this CPU (and OS) cannot run it.
const ck_kernels *ck_variant(ck_isa isa);
/// The widest variant this CPU runs.
ck_isa ck_best_isa(void);
/// The variant the ck_* entry points below use: the best one unless ck_select changed it.
const ck_kernels *ck_active(void);
/// Makes the entry points use `isa` (for benchmarks and tests). Returns 0 if unsupported here.
int ck_select(ck_isa isa);

// Entry points through the active variant.
/// p[i] *= factor.
void ck_scale(float *p, long n, float factor);
void ck_softmax_rows(const float *x, float *y, long rows, long n);
/// One tile of tiled attention with an online softmax. `scores` holds rows × cols scaled scores
/// (masked ones -inf). For each row r: the running max row_max[r] and sum row_sum[r] absorb the
/// tile, out[r·out_width ..] is rescaled by e^(old max - new max), and the scores become
/// e^(s - new max) ready for the P·V product. Rows still without a visible key get zero weights.
void ck_attention_tile(float *scores, long rows, long cols, float *row_max, float *row_sum,
                       float *out, long out_width);
void ck_silu(const float *x, float *y, long n);
void ck_sigmoid(const float *x, float *y, long n);
void ck_gelu_tanh(const float *x, float *y, long n);
void ck_gelu_erf(const float *x, float *y, long n);
/// For each of `rows` rows of n floats: y = (x - mean) / sqrt(var + eps) when centered, else
/// x / sqrt(mean(x²) + eps); then · weight and + bias per column when they are not NULL.
void ck_norm_rows(const float *x, float *y, long rows, long n, const float *weight, const float *bias,
                  int centered, float epsilon);
/// Group norm of `items` channels-last blocks [pixels, channels]: each item's `groups` groups of
/// channels/groups adjacent channels are normalised over all its pixels (mean, then the variance of the
/// centred values, as ck_norm_rows), then · weight + bias per channel (either may be NULL), then SiLU
/// when `silu` (the decoder's GroupNorm -> SiLU in one pass).
void ck_group_norm_channels_last(const float *x, float *y, long items, long pixels, long channels, long groups,
                                 const float *weight, const float *bias, float epsilon, int silu);

#ifdef __cplusplus
}
#endif

#endif
