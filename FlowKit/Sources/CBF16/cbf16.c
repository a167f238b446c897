// oneDNN matmul primitives, cached per thread by shape. Each thread keeps its own stream, primitives
// and scratchpads, so no locks are needed and no primitive's scratchpad is ever shared between
// threads. Memory objects are made once per primitive and re-pointed at each call's buffers.
#include <dnnl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <pthread.h>
#include "cbf16.h"

void omp_set_num_threads(int);

static dnnl_engine_t engine;
static int engine_state;                // 0 unknown, 1 ready, -1 unavailable
static char kernel_name[128] = "not initialised";
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static int cpu_has_native_bf16(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    // AMX-BF16 implies AVX512-BF16 on every CPU that has it; either gives native bf16 dot products.
    return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
#else
    return 0;
#endif
}

typedef struct {
    long m, n, k;
    int b_transposed, bias_kind, accumulate;
    dnnl_primitive_t primitive;
    dnnl_memory_t a, b, c, bias, scratch;
    void *scratchpad;
} entry;

enum { CACHE_SIZE = 96 };
typedef struct {
    dnnl_stream_t stream;
    entry entries[CACHE_SIZE];
    int count, next_victim;
} thread_state;

static __thread thread_state *state;

static void destroy_entry(entry *e) {
    if (e->primitive) dnnl_primitive_destroy(e->primitive);
    if (e->a) dnnl_memory_destroy(e->a);
    if (e->b) dnnl_memory_destroy(e->b);
    if (e->c) dnnl_memory_destroy(e->c);
    if (e->bias) dnnl_memory_destroy(e->bias);
    if (e->scratch) dnnl_memory_destroy(e->scratch);
    free(e->scratchpad);
    memset(e, 0, sizeof *e);
}

static int make_entry(entry *e, long m, long n, long k, int bt, int bias_kind, int acc) {
    memset(e, 0, sizeof *e);
    e->m = m; e->n = n; e->k = k; e->b_transposed = bt; e->bias_kind = bias_kind; e->accumulate = acc;
    dnnl_memory_desc_t a_md, b_md, c_md, bias_md;
    dnnl_dims_t a_dims = {m, k}, b_dims = {k, n}, c_dims = {m, n};
    dnnl_status_t s;
    if ((s = dnnl_memory_desc_init_by_tag(&a_md, 2, a_dims, dnnl_bf16, dnnl_ab))) return s;
    if ((s = dnnl_memory_desc_init_by_tag(&b_md, 2, b_dims, dnnl_bf16, bt ? dnnl_ba : dnnl_ab))) return s;
    if ((s = dnnl_memory_desc_init_by_tag(&c_md, 2, c_dims, dnnl_f32, dnnl_ab))) return s;
    if (bias_kind) {
        dnnl_dims_t bias_dims = {bias_kind == 2 ? m : 1, bias_kind == 2 ? 1 : n};
        if ((s = dnnl_memory_desc_init_by_tag(&bias_md, 2, bias_dims, dnnl_f32, dnnl_ab))) return s;
    }
    dnnl_matmul_desc_t desc;
    if ((s = dnnl_matmul_desc_init(&desc, &a_md, &b_md, bias_kind ? &bias_md : NULL, &c_md))) return s;
    dnnl_primitive_attr_t attr;
    if ((s = dnnl_primitive_attr_create(&attr))) return s;
    dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (acc) {
        dnnl_post_ops_t ops;
        dnnl_post_ops_create(&ops);
        dnnl_post_ops_append_sum(ops, 1.0f);
        dnnl_primitive_attr_set_post_ops(attr, ops);
        dnnl_post_ops_destroy(ops);
    }
    dnnl_primitive_desc_t pd;
    s = dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (s) return s;
    const dnnl_memory_desc_t *scratch_md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    size_t scratch = scratch_md ? dnnl_memory_desc_get_size(scratch_md) : 0;
    if (scratch) {
        e->scratchpad = aligned_alloc(64, (scratch + 63) / 64 * 64);
        s = e->scratchpad ? dnnl_memory_create(&e->scratch, scratch_md, engine, e->scratchpad) : dnnl_out_of_memory;
        if (s) {
            dnnl_primitive_desc_destroy(pd);
            destroy_entry(e);
            return s;
        }
    }
    s = dnnl_primitive_create(&e->primitive, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s) { destroy_entry(e); return s; }
    // Placeholder handles: every call points the memories at its own buffers.
    if ((s = dnnl_memory_create(&e->a, &a_md, engine, DNNL_MEMORY_NONE)) ||
        (s = dnnl_memory_create(&e->b, &b_md, engine, DNNL_MEMORY_NONE)) ||
        (s = dnnl_memory_create(&e->c, &c_md, engine, DNNL_MEMORY_NONE)) ||
        (bias_kind && (s = dnnl_memory_create(&e->bias, &bias_md, engine, DNNL_MEMORY_NONE)))) {
        destroy_entry(e);
        return s;
    }
    return 0;
}

static void init_engine(void) {
    if (!cpu_has_native_bf16()) {
        snprintf(kernel_name, sizeof kernel_name, "unavailable: this CPU has no AVX512-BF16 or AMX-BF16");
        engine_state = -1;
        return;
    }
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) {
        snprintf(kernel_name, sizeof kernel_name, "unavailable: oneDNN could not create a CPU engine");
        engine_state = -1;
        return;
    }
    // Ask once which kernel a typical layer gets, for the logs and benchmark lines.
    dnnl_memory_desc_t a_md, b_md, c_md;
    dnnl_dims_t a_dims = {64, 192}, b_dims = {192, 192}, c_dims = {64, 192};
    dnnl_memory_desc_init_by_tag(&a_md, 2, a_dims, dnnl_bf16, dnnl_ab);
    dnnl_memory_desc_init_by_tag(&b_md, 2, b_dims, dnnl_bf16, dnnl_ba);
    dnnl_memory_desc_init_by_tag(&c_md, 2, c_dims, dnnl_f32, dnnl_ab);
    dnnl_matmul_desc_t desc;
    dnnl_primitive_desc_t pd;
    if (dnnl_matmul_desc_init(&desc, &a_md, &b_md, NULL, &c_md) == dnnl_success &&
        dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL) == dnnl_success) {
        const char *impl = NULL;
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
        const dnnl_version_t *v = dnnl_version();
        snprintf(kernel_name, sizeof kernel_name, "oneDNN %d.%d.%d %s", v->major, v->minor, v->patch, impl ? impl : "?");
        dnnl_primitive_desc_destroy(pd);
        engine_state = 1;
    } else {
        snprintf(kernel_name, sizeof kernel_name, "unavailable: oneDNN has no bf16 matmul here");
        engine_state = -1;
    }
}

int cbf16_available(void) {
    pthread_once(&engine_once, init_engine);
    return engine_state == 1;
}

const char *cbf16_kernel_name(void) {
    pthread_once(&engine_once, init_engine);
    return kernel_name;
}

static thread_state *this_thread(void) {
    if (state) return state;
    thread_state *t = calloc(1, sizeof *t);
    if (!t || dnnl_stream_create(&t->stream, engine, dnnl_stream_default_flags) != dnnl_success) {
        free(t);
        return NULL;
    }
    omp_set_num_threads(1);
    state = t;
    return t;
}

int cbf16_gemm(long m, long n, long k, const uint16_t *a, const uint16_t *b, int b_transposed,
               const float *bias, int bias_per_row, int accumulate, float *c) {
    if (m == 0 || n == 0) return 0;
    if (!cbf16_available()) return dnnl_unimplemented;
    thread_state *t = this_thread();
    if (!t) return dnnl_out_of_memory;
    int bias_kind = bias ? (bias_per_row ? 2 : 1) : 0;
    entry *e = NULL;
    for (int i = 0; i < t->count; i++) {
        entry *x = &t->entries[i];
        if (x->m == m && x->n == n && x->k == k && x->b_transposed == b_transposed &&
            x->bias_kind == bias_kind && x->accumulate == accumulate) { e = x; break; }
    }
    if (!e) {
        if (t->count < CACHE_SIZE) e = &t->entries[t->count++];
        else { e = &t->entries[t->next_victim]; t->next_victim = (t->next_victim + 1) % CACHE_SIZE; destroy_entry(e); }
        int s = make_entry(e, m, n, k, b_transposed, bias_kind, accumulate);
        if (s) { memset(e, 0, sizeof *e); e->m = -1; return s; }
    }
    dnnl_memory_set_data_handle(e->a, (void *)a);
    dnnl_memory_set_data_handle(e->b, (void *)b);
    dnnl_memory_set_data_handle(e->c, c);
    dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, e->a}, {DNNL_ARG_WEIGHTS, e->b}, {DNNL_ARG_DST, e->c}};
    int nargs = 3;
    if (bias_kind) {
        dnnl_memory_set_data_handle(e->bias, (void *)bias);
        args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, e->bias};
    }
    if (e->scratch) args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, e->scratch};
    int s = dnnl_primitive_execute(e->primitive, t->stream, nargs, args);
    if (s == dnnl_success) s = dnnl_stream_wait(t->stream);
    return s;
}
