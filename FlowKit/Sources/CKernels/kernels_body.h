// The kernels, written once over vector16.h and compiled by each variant_*.c for its ISA.
// A variant defines CK_TABLE (the table's symbol), CK_TABLE_ISA and CK_TABLE_NAME, includes the
// system headers and variants.h, opens its target region, includes vector16.h and normal_cdf.h,
// then this file. Everything here is static, so the per-ISA copies never meet; only the table is
// visible (hidden) to dispatch.c.

/// Largest of p[0..<n]: -inf when n == 0, NaNs skipped.
static float row_max(const float *p, long n) {
    v16f acc = splat(-INFINITY);
    long i = 0;
    for (; i + CK_LANES <= n; i += CK_LANES) {
        v16f v = vload(p + i);
        acc = vmax(v, acc);
    }
    if (i < n) acc = vmax(vload_partial(p + i, n - i, -INFINITY), acc);
    return hmax(acc);
}

/// y[i] = e^(x[i] - shift), returning the sum; x may equal y (each vector is read before written).
static float exp_shifted_to(const float *x, float *y, long n, float shift) {
    v16f acc = splat(0.0f);
    long i = 0;
    for (; i + CK_LANES <= n; i += CK_LANES) {
        v16f e = vexp(vload(x + i) - shift);
        vstore(y + i, e);
        acc += e;
    }
    if (i < n) {
        // -inf padding: e^-inf is exactly 0, so the padded lanes add nothing.
        v16f e = vexp(vload_partial(x + i, n - i, -INFINITY) - shift);
        vstore_partial(y + i, n - i, e);
        acc += e;
    }
    return hsum(acc);
}

static void scale(float *p, long n, float factor) {
    long i = 0;
    for (; i + CK_LANES <= n; i += CK_LANES) vstore(p + i, vload(p + i) * factor);
    for (; i < n; i++) p[i] *= factor;
}

// Out of place, so the input is read once by the max pass and once by the exp pass that writes
// the output; the scale pass then runs on a row that is still in L1.
static void softmax_rows(const float *x, float *y, long rows, long n) {
    for (long r = 0; r < rows; r++) {
        const float *in = x + r * n;
        float *out = y + r * n;
        float total = exp_shifted_to(in, out, n, row_max(in, n));
        scale(out, n, 1.0f / total);
    }
}

static void attention_tile(float *scores, long rows, long cols, float *running_max, float *running_sum,
                           float *out, long out_width) {
    // Rows go in groups of 16 so the per-row corrections e^(old max - new max) take one vector exp.
    for (long r0 = 0; r0 < rows; r0 += CK_LANES) {
        long group = rows - r0 < CK_LANES ? rows - r0 : CK_LANES;
        float tile_max[CK_LANES];
        for (long i = 0; i < group; i++) tile_max[i] = row_max(scores + (r0 + i) * cols, cols);
        v16f old_max = vload_partial(running_max + r0, group, -INFINITY);
        v16f new_max = vmax(vload_partial(tile_max, group, -INFINITY), old_max);
        // e^(-inf) is exactly 0 when nothing was visible before; equal maxes give exactly 1.
        float correction[CK_LANES], maxima[CK_LANES];
        vstore(correction, vexp(old_max - new_max));
        vstore(maxima, new_max);
        for (long i = 0; i < group; i++) {
            long r = r0 + i;
            float *row = scores + r * cols;
            if (maxima[i] == -INFINITY) {
                // Nothing visible to this row yet: the tile contributes nothing.
                __builtin_memset(row, 0, (unsigned long)cols * sizeof(float));
                continue;
            }
            float tile_sum = exp_shifted_to(row, row, cols, maxima[i]);
            running_sum[r] = running_sum[r] * correction[i] + tile_sum;
            running_max[r] = maxima[i];
            if (correction[i] != 1.0f) scale(out + r * out_width, out_width, correction[i]);
        }
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

// Exact GELU, x·Φ(x), with Φ vectorised (normal_cdf.h) instead of libm's scalar erff.
CK_MAP(gelu_erf, v * vnormal_cdf(v))
#undef CK_MAP

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

/// Per-channel sums over `pixels` rows of `channels` floats (x - centre[c], squared when `square`), added in
/// blocks of 64 rows so no f32 running sum grows over thousands of terms.
CK_INLINE void channel_sums(const float *x, long pixels, long channels, const float *centre, int square,
                            float *sums, float *block) {
    for (long c = 0; c < channels; c++) sums[c] = 0.0f;
    for (long p0 = 0; p0 < pixels; p0 += 64) {
        long p1 = p0 + 64 < pixels ? p0 + 64 : pixels;
        for (long c = 0; c < channels; c++) block[c] = 0.0f;
        for (long p = p0; p < p1; p++) {
            const float *row = x + p * channels;
            long c = 0;
            for (; c + CK_LANES <= channels; c += CK_LANES) {
                v16f d = vload(row + c) - vload(centre + c);
                vstore(block + c, vload(block + c) + (square ? d * d : d));
            }
            for (; c < channels; c++) {
                float d = row[c] - centre[c];
                block[c] += square ? d * d : d;
            }
        }
        for (long c = 0; c < channels; c++) sums[c] += block[c];
    }
}

static void group_norm_channels_last(const float *x, float *y, long items, long pixels, long channels, long groups,
                                     const float *weight, const float *bias, float epsilon, int silu) {
    if (items <= 0 || pixels <= 0 || channels <= 0 || groups <= 0) return;
    float *work = malloc((size_t)channels * 5 * sizeof(float));
    if (!work) abort();
    float *sums = work, *block = work + channels, *centre = work + 2 * channels;
    float *scale = work + 3 * channels, *shift = work + 4 * channels;
    long per_group = channels / groups;
    float count = (float)(per_group * pixels);
    for (long item = 0; item < items; item++) {
        const float *s = x + item * pixels * channels;
        float *o = y + item * pixels * channels;
        // Two passes, as ck_norm_rows: the mean, then the variance of the centred values.
        for (long c = 0; c < channels; c++) centre[c] = 0.0f;
        channel_sums(s, pixels, channels, centre, 0, sums, block);
        for (long g = 0; g < groups; g++) {
            float total = 0.0f;
            for (long c = g * per_group; c < (g + 1) * per_group; c++) total += sums[c];
            for (long c = g * per_group; c < (g + 1) * per_group; c++) centre[c] = total / count;
        }
        channel_sums(s, pixels, channels, centre, 1, sums, block);
        for (long g = 0; g < groups; g++) {
            float total = 0.0f;
            for (long c = g * per_group; c < (g + 1) * per_group; c++) total += sums[c];
            float inv = 1.0f / sqrtf(total / count + epsilon);
            for (long c = g * per_group; c < (g + 1) * per_group; c++) {
                scale[c] = weight ? weight[c] : 1.0f;
                shift[c] = bias ? bias[c] : 0.0f;
                sums[c] = inv;
            }
        }
        for (long p = 0; p < pixels; p++) {
            const float *row = s + p * channels;
            float *out = o + p * channels;
            for (long c = 0; c < channels; c += CK_LANES) {
                long k = channels - c < CK_LANES ? channels - c : CK_LANES;
                v16f v = k == CK_LANES ? vload(row + c) : vload_partial(row + c, k, 0.0f);
                v16f m = k == CK_LANES ? vload(centre + c) : vload_partial(centre + c, k, 0.0f);
                v16f inv = k == CK_LANES ? vload(sums + c) : vload_partial(sums + c, k, 0.0f);
                v16f w = k == CK_LANES ? vload(scale + c) : vload_partial(scale + c, k, 0.0f);
                v16f b = k == CK_LANES ? vload(shift + c) : vload_partial(shift + c, k, 0.0f);
                v = (v - m) * inv * w + b;
                if (silu) v = v / (1.0f + vexp(-v));
                if (k == CK_LANES) vstore(out + c, v); else vstore_partial(out + c, k, v);
            }
        }
    }
    free(work);
}

__attribute__((visibility("hidden"))) const ck_kernels CK_TABLE = {
    .isa = CK_TABLE_ISA,
    .name = CK_TABLE_NAME,
    .scale = scale,
    .softmax_rows = softmax_rows,
    .attention_tile = attention_tile,
    .silu = silu,
    .sigmoid = sigmoid,
    .gelu_tanh = gelu_tanh,
    .gelu_erf = gelu_erf,
    .norm_rows = norm_rows,
    .group_norm_channels_last = group_norm_channels_last,
};
