// oneDNN matmul primitives, cached per thread by shape. Each thread keeps its own stream, primitives
// and one scratchpad (its calls run one at a time; the convolutions in conv.c share both), so no locks
// are needed and no scratchpad is ever shared between threads; a thread's state is freed when it exits.
// Memory objects are made once per primitive and re-pointed at each call's buffers.
#include <dnnl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <pthread.h>
#include "cbf16.h"
#include "dnnl_shared.h"

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
    int b_transposed, bias_kind, accumulate, packed;
    dnnl_data_type_t type;              // of A and B: bf16, or f32 (packed f32 weights)
    dnnl_primitive_t primitive;
    dnnl_memory_t a, b, c, bias, scratch;
    size_t scratch_size;
} entry;

enum { CACHE_SIZE = 96 };
typedef struct {
    dnnl_stream_t stream;
    entry entries[CACHE_SIZE];
    int count, next_victim;
    void *scratchpad;                   // the largest any of its primitives needs
    size_t scratchpad_size;
} thread_state;

static __thread thread_state *state;
static pthread_key_t state_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void destroy_entry(entry *e) {
    if (e->primitive) dnnl_primitive_destroy(e->primitive);
    if (e->a) dnnl_memory_destroy(e->a);
    if (e->b) dnnl_memory_destroy(e->b);
    if (e->c) dnnl_memory_destroy(e->c);
    if (e->bias) dnnl_memory_destroy(e->bias);
    if (e->scratch) dnnl_memory_destroy(e->scratch);
    memset(e, 0, sizeof *e);
}

static void free_thread_state(void *p) {
    thread_state *t = p;
    for (int i = 0; i < t->count; i++) destroy_entry(&t->entries[i]);
    if (t->stream) dnnl_stream_destroy(t->stream);
    free(t->scratchpad);
    free(t);
}

static void make_key(void) { pthread_key_create(&state_key, free_thread_state); }

static int make_entry(entry *e, long m, long n, long k, int bt, int bias_kind, int acc, int packed, dnnl_data_type_t type) {
    memset(e, 0, sizeof *e);
    e->m = m; e->n = n; e->k = k; e->b_transposed = bt; e->bias_kind = bias_kind; e->accumulate = acc; e->packed = packed;
    e->type = type;
    dnnl_engine_t engine = cbf16_engine();
    dnnl_memory_desc_t a_md, b_md, c_md, bias_md;
    dnnl_dims_t a_dims = {m, k}, b_dims = {k, n}, c_dims = {m, n};
    dnnl_status_t s;
    if ((s = dnnl_memory_desc_init_by_tag(&a_md, 2, a_dims, type, dnnl_ab))) return s;
    if ((s = dnnl_memory_desc_init_by_tag(&b_md, 2, b_dims, type, packed ? dnnl_format_tag_any : bt ? dnnl_ba : dnnl_ab))) return s;
    if ((s = dnnl_memory_desc_init_by_tag(&c_md, 2, c_dims, dnnl_f32, dnnl_ab))) return s;
    if (bias_kind) {
        dnnl_dims_t bias_dims = {bias_kind == 2 ? m : 1, bias_kind == 2 ? 1 : n};
        if ((s = dnnl_memory_desc_init_by_tag(&bias_md, 2, bias_dims, dnnl_f32, dnnl_ab))) return s;
    }
    dnnl_matmul_desc_t desc;
    if ((s = dnnl_matmul_desc_init(&desc, &a_md, &b_md, bias_kind ? &bias_md : NULL, &c_md))) return s;
    dnnl_primitive_desc_t pd;
    if ((s = cbf16_primitive_desc(&pd, &desc, acc, engine))) return s;
    const dnnl_memory_desc_t *scratch_md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    size_t scratch = scratch_md ? dnnl_memory_desc_get_size(scratch_md) : 0;
    if (scratch) {
        // A placeholder handle: each call points it at the thread's scratchpad.
        e->scratch_size = scratch;
        if ((s = dnnl_memory_create(&e->scratch, scratch_md, engine, DNNL_MEMORY_NONE))) {
            dnnl_primitive_desc_destroy(pd);
            destroy_entry(e);
            return s;
        }
    }
    if (packed) b_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);   // the layout it chose
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

static dnnl_engine_t shared_engine;
static int shared_engine_state;         // 1 ready, -1 unavailable
static pthread_once_t shared_engine_once = PTHREAD_ONCE_INIT;

static void init_shared_engine(void) {
    shared_engine_state = dnnl_engine_create(&shared_engine, dnnl_cpu, 0) == dnnl_success ? 1 : -1;
}

/// The CPU engine every primitive here runs on (bf16 GEMMs, and f32 or bf16 convolutions), or NULL.
dnnl_engine_t cbf16_engine(void) {
    pthread_once(&shared_engine_once, init_shared_engine);
    return shared_engine_state == 1 ? shared_engine : NULL;
}

static void init_engine(void) {
    if (!cpu_has_native_bf16()) {
        snprintf(kernel_name, sizeof kernel_name, "unavailable: this CPU has no AVX512-BF16 or AMX-BF16");
        engine_state = -1;
        return;
    }
    engine = cbf16_engine();
    if (!engine) {
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
    dnnl_engine_t e = cbf16_engine();
    thread_state *t = e ? calloc(1, sizeof *t) : NULL;
    if (!t || dnnl_stream_create(&t->stream, e, dnnl_stream_default_flags) != dnnl_success) {
        free(t);
        return NULL;
    }
    omp_set_num_threads(1);
    pthread_once(&key_once, make_key);
    pthread_setspecific(state_key, t);          // frees it when the thread exits
    state = t;
    return t;
}

dnnl_stream_t cbf16_thread_stream(void) {
    thread_state *t = this_thread();
    return t ? t->stream : NULL;
}

void *cbf16_thread_scratchpad(size_t size) {
    thread_state *t = this_thread();
    if (!t) return NULL;
    if (size > t->scratchpad_size) {
        void *bigger = aligned_alloc(64, (size + 63) / 64 * 64);
        if (!bigger) return NULL;
        free(t->scratchpad);
        t->scratchpad = bigger;
        t->scratchpad_size = size;
    }
    return t->scratchpad;
}

dnnl_status_t cbf16_primitive_desc(dnnl_primitive_desc_t *pd, const_dnnl_op_desc_t op, int accumulate, dnnl_engine_t engine) {
    dnnl_primitive_attr_t attr;
    dnnl_status_t s;
    if ((s = dnnl_primitive_attr_create(&attr))) return s;
    dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (accumulate) {
        dnnl_post_ops_t ops;
        dnnl_post_ops_create(&ops);
        dnnl_post_ops_append_sum(ops, 1.0f);
        dnnl_primitive_attr_set_post_ops(attr, ops);
        dnnl_post_ops_destroy(ops);
    }
    s = dnnl_primitive_desc_create(pd, op, attr, engine, NULL);
    dnnl_primitive_attr_destroy(attr);
    return s;
}

static entry *find_entry(thread_state *t, long m, long n, long k, int bt, int bias_kind, int acc, int packed,
                         dnnl_data_type_t type, int *status) {
    for (int i = 0; i < t->count; i++) {
        entry *x = &t->entries[i];
        if (x->m == m && x->n == n && x->k == k && x->b_transposed == bt && x->bias_kind == bias_kind &&
            x->accumulate == acc && x->packed == packed && x->type == type) return x;
    }
    entry *e;
    if (t->count < CACHE_SIZE) e = &t->entries[t->count++];
    else { e = &t->entries[t->next_victim]; t->next_victim = (t->next_victim + 1) % CACHE_SIZE; destroy_entry(e); }
    *status = make_entry(e, m, n, k, bt, bias_kind, acc, packed, type);
    if (*status) { memset(e, 0, sizeof *e); e->m = -1; return NULL; }
    return e;
}

static int execute(thread_state *t, entry *e, const void *a, const void *b, const float *bias, float *c) {
    dnnl_memory_set_data_handle(e->a, (void *)a);
    dnnl_memory_set_data_handle(e->b, (void *)b);
    dnnl_memory_set_data_handle(e->c, c);
    dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, e->a}, {DNNL_ARG_WEIGHTS, e->b}, {DNNL_ARG_DST, e->c}};
    int nargs = 3;
    if (e->bias_kind) {
        dnnl_memory_set_data_handle(e->bias, (void *)bias);
        args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, e->bias};
    }
    if (e->scratch) {
        void *pad = cbf16_thread_scratchpad(e->scratch_size);
        if (!pad) return dnnl_out_of_memory;
        dnnl_memory_set_data_handle(e->scratch, pad);
        args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, e->scratch};
    }
    int s = dnnl_primitive_execute(e->primitive, t->stream, nargs, args);
    if (s == dnnl_success) s = dnnl_stream_wait(t->stream);
    return s;
}

int cbf16_gemm(long m, long n, long k, const uint16_t *a, const uint16_t *b, int b_transposed,
               const float *bias, int bias_per_row, int accumulate, float *c) {
    if (m == 0 || n == 0) return 0;
    if (!cbf16_available()) return dnnl_unimplemented;
    thread_state *t = this_thread();
    if (!t) return dnnl_out_of_memory;
    int status = 0;
    entry *e = find_entry(t, m, n, k, b_transposed, bias ? (bias_per_row ? 2 : 1) : 0, accumulate, 0, dnnl_bf16, &status);
    return e ? execute(t, e, a, b, bias, c) : status;
}

enum { MAX_LAYOUTS = 4 };
struct cbf16_packed {
    long n, k;
    uint16_t *plain;                    // [n×k] as given
    pthread_mutex_t lock;               // guards the layouts (models may be shared between threads)
    int count;
    dnnl_memory_desc_t mds[MAX_LAYOUTS];
    void *buffers[MAX_LAYOUTS];
};

cbf16_packed *cbf16_packed_create(long n, long k, const uint16_t *w) {
    cbf16_packed *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n = n; p->k = k;
    p->plain = malloc((size_t)(n * k) * sizeof(uint16_t));
    if (!p->plain) { free(p); return NULL; }
    memcpy(p->plain, w, (size_t)(n * k) * sizeof(uint16_t));
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

void cbf16_packed_destroy(cbf16_packed *p) {
    if (!p) return;
    for (int i = 0; i < p->count; i++) free(p->buffers[i]);
    pthread_mutex_destroy(&p->lock);
    free(p->plain);
    free(p);
}

/// The weights in layout `md`, reordering the plain copy into it the first time it is asked for.
static const void *packed_in(cbf16_packed *p, const dnnl_memory_desc_t *md, thread_state *t, int *status) {
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->count; i++) {
        if (dnnl_memory_desc_equal(&p->mds[i], md)) { const void *b = p->buffers[i]; pthread_mutex_unlock(&p->lock); return b; }
    }
    const void *result = NULL;
    dnnl_memory_desc_t plain_md;
    dnnl_dims_t dims = {p->k, p->n};
    void *buffer = NULL;
    dnnl_memory_t src = NULL, dst = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t reorder = NULL;
    if (p->count == MAX_LAYOUTS) { *status = dnnl_out_of_memory; goto done; }
    if ((*status = dnnl_memory_desc_init_by_tag(&plain_md, 2, dims, dnnl_bf16, dnnl_ba))) goto done;
    size_t size = dnnl_memory_desc_get_size(md);
    buffer = aligned_alloc(64, (size + 63) / 64 * 64);
    if (!buffer) { *status = dnnl_out_of_memory; goto done; }
    if ((*status = dnnl_memory_create(&src, &plain_md, engine, p->plain)) ||
        (*status = dnnl_memory_create(&dst, md, engine, buffer)) ||
        (*status = dnnl_reorder_primitive_desc_create(&rpd, &plain_md, engine, md, engine, NULL)) ||
        (*status = dnnl_primitive_create(&reorder, rpd))) goto done;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
    if ((*status = dnnl_primitive_execute(reorder, t->stream, 2, args)) || (*status = dnnl_stream_wait(t->stream))) goto done;
    p->mds[p->count] = *md;
    p->buffers[p->count++] = buffer;
    result = buffer;
    buffer = NULL;
done:
    free(buffer);
    if (reorder) dnnl_primitive_destroy(reorder);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    if (src) dnnl_memory_destroy(src);
    if (dst) dnnl_memory_destroy(dst);
    pthread_mutex_unlock(&p->lock);
    return result;
}

int cbf16_gemm_packed(long m, const uint16_t *a, cbf16_packed *w, const float *bias, float *c) {
    if (m == 0 || w->n == 0) return 0;
    if (!cbf16_available()) return dnnl_unimplemented;
    thread_state *t = this_thread();
    if (!t) return dnnl_out_of_memory;
    int status = 0;
    entry *e = find_entry(t, m, w->n, w->k, 1, bias ? 1 : 0, 0, 1, dnnl_bf16, &status);
    if (!e) return status;
    const_dnnl_primitive_desc_t pd;
    if ((status = dnnl_primitive_get_primitive_desc(e->primitive, &pd))) return status;
    const void *b = packed_in(w, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), t, &status);
    return b ? execute(t, e, a, b, bias, c) : status;
}

// f32 weights packed for oneDNN's f32 matmul. OpenBLAS packs both operands on every call; at the denoiser's
// shapes (48-96 rows, 192-768 wide) packing the weight costs about as much as the multiply. Here the weight is
// reordered once into the blocked layout oneDNN's kernel reads (that layout depends on the weight's shape, not
// on the rows multiplied: checked for m = 1..4096), and only that copy is kept.
struct cf32_packed {
    long n, k;
    pthread_mutex_t lock;               // guards the layouts (models may be shared between threads)
    int count;
    dnnl_memory_desc_t mds[MAX_LAYOUTS];
    void *buffers[MAX_LAYOUTS];
};

/// Reorders `src` (layout src_md) into `dst` (layout dst_md) on the calling thread's stream.
static int reorder(const dnnl_memory_desc_t *src_md, const void *src, const dnnl_memory_desc_t *dst_md, void *dst) {
    dnnl_engine_t engine = cbf16_engine();
    dnnl_stream_t stream = cbf16_thread_stream();
    if (!engine || !stream) return dnnl_runtime_error;
    dnnl_memory_t from = NULL, to = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t r = NULL;
    int s;
    if (!(s = dnnl_memory_create(&from, src_md, engine, (void *)src)) &&
        !(s = dnnl_memory_create(&to, dst_md, engine, dst)) &&
        !(s = dnnl_reorder_primitive_desc_create(&rpd, src_md, engine, dst_md, engine, NULL)) &&
        !(s = dnnl_primitive_create(&r, rpd))) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
        if (!(s = dnnl_primitive_execute(r, stream, 2, args))) s = dnnl_stream_wait(stream);
    }
    if (r) dnnl_primitive_destroy(r);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    if (from) dnnl_memory_destroy(from);
    if (to) dnnl_memory_destroy(to);
    return s;
}

/// The weights in layout `md`; the first time a layout is asked for, reordered from the first one kept.
static const void *f32_packed_in(cf32_packed *p, const dnnl_memory_desc_t *md, int *status) {
    pthread_mutex_lock(&p->lock);
    const void *result = NULL;
    for (int i = 0; i < p->count; i++) {
        if (dnnl_memory_desc_equal(&p->mds[i], md)) { result = p->buffers[i]; goto done; }
    }
    if (p->count == MAX_LAYOUTS || p->count == 0) { *status = dnnl_out_of_memory; goto done; }
    size_t size = dnnl_memory_desc_get_size(md);
    void *buffer = aligned_alloc(64, (size + 63) / 64 * 64);
    if (!buffer) { *status = dnnl_out_of_memory; goto done; }
    if ((*status = reorder(&p->mds[0], p->buffers[0], md, buffer))) { free(buffer); goto done; }
    p->mds[p->count] = *md;
    p->buffers[p->count++] = buffer;
    result = buffer;
done:
    pthread_mutex_unlock(&p->lock);
    return result;
}

/// The matmul this thread uses for m rows against `p`, and the weight layout it reads.
static entry *f32_entry(cf32_packed *p, long m, int has_bias, const dnnl_memory_desc_t **md, int *status) {
    thread_state *t = this_thread();
    if (!t) { *status = dnnl_out_of_memory; return NULL; }
    entry *e = find_entry(t, m, p->n, p->k, 1, has_bias, 0, 1, dnnl_f32, status);
    if (!e) return NULL;
    const_dnnl_primitive_desc_t pd;
    if ((*status = dnnl_primitive_get_primitive_desc(e->primitive, &pd))) return NULL;
    *md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    return e;
}

cf32_packed *cf32_packed_create(long n, long k, const float *w) {
    if (!cbf16_engine() || n <= 0 || k <= 0) return NULL;
    cf32_packed *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n = n; p->k = k;
    pthread_mutex_init(&p->lock, NULL);
    // The layout a typical call (64 rows) asks for; other row counts ask for the same one.
    int status = 0;
    const dnnl_memory_desc_t *md = NULL;
    dnnl_memory_desc_t plain_md;
    dnnl_dims_t dims = {k, n};
    void *buffer = NULL;
    if (f32_entry(p, 64, 1, &md, &status) && !dnnl_memory_desc_init_by_tag(&plain_md, 2, dims, dnnl_f32, dnnl_ba)) {
        size_t size = dnnl_memory_desc_get_size(md);
        buffer = aligned_alloc(64, (size + 63) / 64 * 64);
        if (buffer && !reorder(&plain_md, w, md, buffer)) {
            p->mds[0] = *md;
            p->buffers[0] = buffer;
            p->count = 1;
            return p;
        }
    }
    free(buffer);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return NULL;
}

void cf32_packed_destroy(cf32_packed *p) {
    if (!p) return;
    for (int i = 0; i < p->count; i++) free(p->buffers[i]);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int cf32_packed_unpack(cf32_packed *p, float *w) {
    dnnl_memory_desc_t plain_md;
    dnnl_dims_t dims = {p->k, p->n};
    int s = dnnl_memory_desc_init_by_tag(&plain_md, 2, dims, dnnl_f32, dnnl_ba);
    if (s) return s;
    pthread_mutex_lock(&p->lock);
    s = reorder(&p->mds[0], p->buffers[0], &plain_md, w);
    pthread_mutex_unlock(&p->lock);
    return s;
}

int cf32_gemm_packed(long m, const float *a, cf32_packed *p, const float *bias, float *c) {
    if (m == 0) return 0;
    int status = 0;
    const dnnl_memory_desc_t *md = NULL;
    entry *e = f32_entry(p, m, bias != NULL, &md, &status);
    if (!e) return status;
    const void *b = f32_packed_in(p, md, &status);
    return b ? execute(state, e, a, b, bias, c) : status;
}
