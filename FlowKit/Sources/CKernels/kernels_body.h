// The kernels, written once over vector16.h and compiled by each variant_*.c for its ISA.
// A variant defines CK_TABLE (the table's symbol), CK_TABLE_ISA and CK_TABLE_NAME, includes the
// system headers and variants.h, opens its target region, then includes this file. Everything here
// is static, so the per-ISA copies never meet; only the table is visible (hidden) to dispatch.c.

static float row_max(const float *p, long n) {
    v16f acc = splat(-INFINITY);
    long i = 0;
    for (; i + CK_LANES <= n; i += CK_LANES) {
        v16f v = vload(p + i);
        acc = vselect(v > acc, v, acc);
    }
    if (i < n) {
        v16f v = vload_partial(p + i, n - i, -INFINITY);
        acc = vselect(v > acc, v, acc);
    }
    return hmax(acc);
}

static float exp_shifted(float *p, long n, float shift) {
    v16f acc = splat(0.0f);
    long i = 0;
    for (; i + CK_LANES <= n; i += CK_LANES) {
        v16f e = vexp(vload(p + i) - shift);
        vstore(p + i, e);
        acc += e;
    }
    if (i < n) {
        // -inf padding: e^-inf is exactly 0, so the padded lanes add nothing.
        v16f e = vexp(vload_partial(p + i, n - i, -INFINITY) - shift);
        vstore_partial(p + i, n - i, e);
        acc += e;
    }
    return hsum(acc);
}

static void scale(float *p, long n, float factor) {
    long i = 0;
    for (; i + CK_LANES <= n; i += CK_LANES) vstore(p + i, vload(p + i) * factor);
    for (; i < n; i++) p[i] *= factor;
}

static void softmax_rows(float *p, long rows, long n) {
    for (long r = 0; r < rows; r++) {
        float *row = p + r * n;
        float total = exp_shifted(row, n, row_max(row, n));
        scale(row, n, 1.0f / total);
    }
}

static void attention_tile(float *scores, long rows, long cols, float *running_max, float *running_sum,
                           float *out, long out_width) {
    for (long r = 0; r < rows; r++) {
        float *row = scores + r * cols;
        float old_max = running_max[r], tile_max = row_max(row, cols);
        float new_max = tile_max > old_max ? tile_max : old_max;
        if (new_max == -INFINITY) {
            // Nothing visible to this row yet: the tile contributes nothing.
            __builtin_memset(row, 0, (unsigned long)cols * sizeof(float));
            continue;
        }
        float correction = old_max == -INFINITY ? 0.0f : expf(old_max - new_max);
        float tile_sum = exp_shifted(row, cols, new_max);
        running_sum[r] = running_sum[r] * correction + tile_sum;
        running_max[r] = new_max;
        if (correction != 1.0f) scale(out + r * out_width, out_width, correction);
    }
}

// Elementwise maps: vector body, tail through a zero-padded vector (same arithmetic as the body).
#define CK_MAP(name, expression)                                                   \
    static void name(const float *x, float *y, long n) {                           \
        long i = 0;                                                                \
        for (; i + CK_LANES <= n; i += CK_LANES) {                                 \
            v16f v = vload(x + i);                                                  \
            vstore(y + i, (expression));                                            \
        }                                                                          \
        if (i < n) {                                                               \
            v16f v = vload_partial(x + i, n - i, 0.0f);                             \
            vstore_partial(y + i, n - i, (expression));                             \
        }                                                                          \
    }

// x·sigmoid(x) as x / (1 + e^-x): one exp, one division, no cancellation for x < 0.
CK_MAP(silu, v / (1.0f + vexp(-v)))
CK_MAP(sigmoid, 1.0f / (1.0f + vexp(-v)))
// 1 + tanh(u) = 2·sigmoid(2u), so GELU-tanh = x / (1 + e^(-2u)), u = √(2/π)(x + 0.044715x³).
CK_MAP(gelu_tanh, v / (1.0f + vexp(-(1.5957691216057308f * (v + 0.044715f * v * v * v)))))
#undef CK_MAP

// Exact GELU keeps libm's erff per element: there is no vector erf here accurate enough for the
// golden tolerance, and models trained with exact GELU are rare in this project.
static void gelu_erf(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.7071067811865476f));
}

static void norm_rows(const float *x, float *y, long rows, long n, const float *weight, const float *bias,
                      int centered, float epsilon) {
    if (n <= 0) return;
    for (long r = 0; r < rows; r++) {
        const float *s = x + r * n;
        float *o = y + r * n;
        float mean = 0.0f;
        long i;
        if (centered) {
            v16f acc = splat(0.0f);
            for (i = 0; i + CK_LANES <= n; i += CK_LANES) acc += vload(s + i);
            if (i < n) acc += vload_partial(s + i, n - i, 0.0f);
            mean = hsum(acc) / (float)n;
        }
        // Second pass over centred values: accurate variance without catastrophic cancellation.
        // Tail lanes are padded with the mean, so they add exactly zero.
        v16f squares = splat(0.0f);
        for (i = 0; i + CK_LANES <= n; i += CK_LANES) {
            v16f d = vload(s + i) - mean;
            squares += d * d;
        }
        if (i < n) {
            v16f d = vload_partial(s + i, n - i, mean) - mean;
            squares += d * d;
        }
        float inv = 1.0f / sqrtf(hsum(squares) / (float)n + epsilon);
        for (i = 0; i + CK_LANES <= n; i += CK_LANES) {
            v16f v = (vload(s + i) - mean) * inv;
            if (weight) v *= vload(weight + i);
            if (bias) v += vload(bias + i);
            vstore(o + i, v);
        }
        for (; i < n; i++) {
            float v = (s[i] - mean) * inv;
            if (weight) v *= weight[i];
            if (bias) v += bias[i];
            o[i] = v;
        }
    }
}

__attribute__((visibility("hidden"))) const ck_kernels CK_TABLE = {
    .isa = CK_TABLE_ISA,
    .name = CK_TABLE_NAME,
    .row_max = row_max,
    .exp_shifted = exp_shifted,
    .scale = scale,
    .softmax_rows = softmax_rows,
    .attention_tile = attention_tile,
    .silu = silu,
    .sigmoid = sigmoid,
    .gelu_tanh = gelu_tanh,
    .gelu_erf = gelu_erf,
    .norm_rows = norm_rows,
};
