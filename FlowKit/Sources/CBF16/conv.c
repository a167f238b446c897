// oneDNN convolution primitives on channels-last activations, cached per thread by shape like the GEMMs
// (no locks on the call path; the thread's stream and scratchpad are shared with them). Weights are
// reordered once per layout a primitive asks for (format "any": oneDNN's blocked layout for its kernel).
#include <dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cconv.h"
#include "dnnl_shared.h"

enum { MAX_LAYOUTS = 4 };
struct cconv_weights {
    int spatial, bf16;
    long out, in, kernel[3];
    float *plain;                       // [out, in, kd, kh, kw] as given, until the first layout is made
    float *bias;                        // NULL or `out` values
    pthread_mutex_t lock;               // guards the layouts (a model may be shared between threads)
    int count;
    dnnl_memory_desc_t mds[MAX_LAYOUTS];
    void *buffers[MAX_LAYOUTS];
};

int cconv_available(void) { return cbf16_engine() != NULL; }

cconv_weights *cconv_weights_create(int spatial, long out, long in, const long kernel[3],
                                    const float *weight, const float *bias, int bf16) {
    if (spatial != 2 && spatial != 3) return NULL;
    cconv_weights *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->spatial = spatial; w->bf16 = bf16; w->out = out; w->in = in;
    memcpy(w->kernel, kernel, sizeof w->kernel);
    size_t count = (size_t)(out * in * kernel[0] * kernel[1] * kernel[2]);
    w->plain = malloc(count * sizeof(float));
    w->bias = bias ? malloc((size_t)out * sizeof(float)) : NULL;
    if (!w->plain || (bias && !w->bias)) { free(w->plain); free(w->bias); free(w); return NULL; }
    memcpy(w->plain, weight, count * sizeof(float));
    if (bias) memcpy(w->bias, bias, (size_t)out * sizeof(float));
    pthread_mutex_init(&w->lock, NULL);
    return w;
}

void cconv_weights_destroy(cconv_weights *w) {
    if (!w) return;
    for (int i = 0; i < w->count; i++) free(w->buffers[i]);
    pthread_mutex_destroy(&w->lock);
    free(w->plain);
    free(w->bias);
    free(w);
}

/// The primitive for one shape: what it was made for, and placeholder memories re-pointed at each call.
typedef struct {
    long key[16];
    dnnl_primitive_t primitive;
    dnnl_memory_t src, weights, bias, dst, scratch;
    size_t scratch_size;
    char impl[64];
} conv_entry;

enum { CACHE_SIZE = 64 };
typedef struct {
    conv_entry entries[CACHE_SIZE];
    int count, next_victim;
} conv_cache;

static __thread conv_cache *cache;
static pthread_key_t cache_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void destroy_entry(conv_entry *e) {
    if (e->primitive) dnnl_primitive_destroy(e->primitive);
    dnnl_memory_t mems[5] = {e->src, e->weights, e->bias, e->dst, e->scratch};
    for (int i = 0; i < 5; i++) if (mems[i]) dnnl_memory_destroy(mems[i]);
    memset(e, 0, sizeof *e);
}

static void free_cache(void *p) {
    conv_cache *c = p;
    for (int i = 0; i < c->count; i++) destroy_entry(&c->entries[i]);
    free(c);
}

static void make_key(void) { pthread_key_create(&cache_key, free_cache); }

static conv_cache *this_thread(void) {
    if (cache) return cache;
    conv_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    pthread_once(&key_once, make_key);
    pthread_setspecific(cache_key, c);          // freed when the thread exits
    cache = c;
    return c;
}

/// oneDNN's dims in its logical order (n, c, [d,] h, w) for a channels-last buffer.
static int data_desc(dnnl_memory_desc_t *md, int spatial, long n, long c, const long size[3], dnnl_data_type_t type) {
    dnnl_dims_t dims = {n, c, size[0], size[1], size[2]};
    if (spatial == 2) { dims[2] = size[1]; dims[3] = size[2]; }
    return dnnl_memory_desc_init_by_tag(md, spatial + 2, dims, type, spatial == 2 ? dnnl_nhwc : dnnl_ndhwc);
}

static int make_entry(conv_entry *e, const cconv_weights *w, long batch, const long size[3], const long stride[3],
                      const long padding[3], int accumulate) {
    dnnl_engine_t engine = cbf16_engine();
    int sp = w->spatial, first = sp == 2 ? 1 : 0;    // the dims oneDNN sees: (h, w) or (d, h, w)
    long out_size[3] = {1, 1, 1};
    for (int i = 0; i < 3; i++) out_size[i] = (size[i] + 2 * padding[i] - w->kernel[i]) / stride[i] + 1;
    if (out_size[0] < 1 || out_size[1] < 1 || out_size[2] < 1) return dnnl_invalid_arguments;
    dnnl_data_type_t in_type = w->bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_t src_md, dst_md, weights_md, bias_md;
    dnnl_dims_t wdims = {w->out, w->in, w->kernel[0], w->kernel[1], w->kernel[2]};
    if (sp == 2) { wdims[2] = w->kernel[1]; wdims[3] = w->kernel[2]; }
    dnnl_dims_t bdims = {w->out}, strides, pad;
    for (int i = 0; i < sp; i++) { strides[i] = stride[first + i]; pad[i] = padding[first + i]; }
    dnnl_status_t s;
    if ((s = data_desc(&src_md, sp, batch, w->in, size, in_type)) ||
        (s = data_desc(&dst_md, sp, batch, w->out, out_size, dnnl_f32)) ||
        (s = dnnl_memory_desc_init_by_tag(&weights_md, sp + 2, wdims, in_type, dnnl_format_tag_any)) ||
        (w->bias && (s = dnnl_memory_desc_init_by_tag(&bias_md, 1, bdims, dnnl_f32, dnnl_a)))) return s;
    dnnl_convolution_desc_t desc;
    if ((s = dnnl_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct, &src_md, &weights_md,
                                                w->bias ? &bias_md : NULL, &dst_md, strides, pad, pad))) return s;
    dnnl_primitive_desc_t pd;
    if ((s = cbf16_primitive_desc(&pd, &desc, accumulate, engine))) return s;
    const char *impl = NULL;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    snprintf(e->impl, sizeof e->impl, "%s", impl ? impl : "?");
    weights_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);     // the layout it chose
    const dnnl_memory_desc_t *scratch_md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    e->scratch_size = scratch_md ? dnnl_memory_desc_get_size(scratch_md) : 0;
    if (e->scratch_size && (s = dnnl_memory_create(&e->scratch, scratch_md, engine, DNNL_MEMORY_NONE))) {
        dnnl_primitive_desc_destroy(pd);
        destroy_entry(e);
        return s;
    }
    s = dnnl_primitive_create(&e->primitive, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s ||
        (s = dnnl_memory_create(&e->src, &src_md, engine, DNNL_MEMORY_NONE)) ||
        (s = dnnl_memory_create(&e->weights, &weights_md, engine, DNNL_MEMORY_NONE)) ||
        (s = dnnl_memory_create(&e->dst, &dst_md, engine, DNNL_MEMORY_NONE)) ||
        (w->bias && (s = dnnl_memory_create(&e->bias, &bias_md, engine, DNNL_MEMORY_NONE)))) {
        destroy_entry(e);
        return s;
    }
    return 0;
}

static conv_entry *find_entry(conv_cache *c, const cconv_weights *w, long batch, const long size[3], const long stride[3],
                              const long padding[3], int accumulate, int *status) {
    long key[16] = {w->spatial, w->bf16, w->out, w->in, w->kernel[0], w->kernel[1], w->kernel[2], batch,
                    size[0], size[1], size[2], stride[0] | stride[1] << 8 | stride[2] << 16,
                    padding[0] | padding[1] << 8 | padding[2] << 16, w->bias != NULL, accumulate, 1};
    for (int i = 0; i < c->count; i++) {
        if (!memcmp(c->entries[i].key, key, sizeof key)) return &c->entries[i];
    }
    conv_entry *e;
    if (c->count < CACHE_SIZE) e = &c->entries[c->count++];
    else { e = &c->entries[c->next_victim]; c->next_victim = (c->next_victim + 1) % CACHE_SIZE; destroy_entry(e); }
    memset(e, 0, sizeof *e);
    *status = make_entry(e, w, batch, size, stride, padding, accumulate);
    if (*status) { memset(e, 0, sizeof *e); return NULL; }      // an all-zero key never matches (key[15] is 1)
    memcpy(e->key, key, sizeof key);
    return e;
}

/// The weights in layout `md`, made the first time it is asked for: the first layout from the plain f32 copy (rounded
/// to bf16 if md is bf16), which is then freed (a model's convolutions would otherwise be held twice); any later
/// one from the first layout (an exact reorder: same dtype).
static const void *weights_in(cconv_weights *w, const dnnl_memory_desc_t *md, dnnl_stream_t stream, int *status) {
    pthread_mutex_lock(&w->lock);
    for (int i = 0; i < w->count; i++) {
        if (dnnl_memory_desc_equal(&w->mds[i], md)) { const void *b = w->buffers[i]; pthread_mutex_unlock(&w->lock); return b; }
    }
    dnnl_engine_t engine = cbf16_engine();
    const void *result = NULL;
    dnnl_memory_desc_t plain_md;
    dnnl_dims_t dims = {w->out, w->in, w->kernel[0], w->kernel[1], w->kernel[2]};
    if (w->spatial == 2) { dims[2] = w->kernel[1]; dims[3] = w->kernel[2]; }
    void *buffer = NULL;
    dnnl_memory_t src = NULL, dst = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t reorder = NULL;
    if (w->count == MAX_LAYOUTS) { *status = dnnl_out_of_memory; goto done; }
    if (w->count == 0) {
        if ((*status = dnnl_memory_desc_init_by_tag(&plain_md, w->spatial + 2, dims, dnnl_f32, w->spatial == 2 ? dnnl_oihw : dnnl_oidhw))) goto done;
    } else {
        plain_md = w->mds[0];
    }
    size_t size = dnnl_memory_desc_get_size(md);
    buffer = aligned_alloc(64, (size + 63) / 64 * 64);
    if (!buffer) { *status = dnnl_out_of_memory; goto done; }
    if ((*status = dnnl_memory_create(&src, &plain_md, engine, w->count == 0 ? (void *)w->plain : w->buffers[0])) ||
        (*status = dnnl_memory_create(&dst, md, engine, buffer)) ||
        (*status = dnnl_reorder_primitive_desc_create(&rpd, &plain_md, engine, md, engine, NULL)) ||
        (*status = dnnl_primitive_create(&reorder, rpd))) goto done;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
    if ((*status = dnnl_primitive_execute(reorder, stream, 2, args)) || (*status = dnnl_stream_wait(stream))) goto done;
    w->mds[w->count] = *md;
    w->buffers[w->count++] = buffer;
    if (w->count == 1) { free(w->plain); w->plain = NULL; }
    result = buffer;
    buffer = NULL;
done:
    free(buffer);
    if (reorder) dnnl_primitive_destroy(reorder);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    if (src) dnnl_memory_destroy(src);
    if (dst) dnnl_memory_destroy(dst);
    pthread_mutex_unlock(&w->lock);
    return result;
}

static conv_entry *prepare(cconv_weights *w, long batch, const long size[3], const long stride[3], const long padding[3],
                           int accumulate, dnnl_stream_t *stream, int *status) {
    *status = dnnl_unimplemented;
    if (!cconv_available()) return NULL;
    *status = dnnl_out_of_memory;
    conv_cache *c = this_thread();
    if (!c || !(*stream = cbf16_thread_stream())) return NULL;
    *status = 0;
    return find_entry(c, w, batch, size, stride, padding, accumulate, status);
}

int cconv_forward(cconv_weights *w, long batch, const long size[3], const long stride[3], const long padding[3],
                  const void *src, int accumulate, float *dst) {
    if (batch == 0) return 0;
    int status;
    dnnl_stream_t stream;
    conv_entry *e = prepare(w, batch, size, stride, padding, accumulate, &stream, &status);
    if (!e) return status;
    const dnnl_memory_desc_t *weights_md;
    if ((status = dnnl_memory_get_memory_desc(e->weights, &weights_md))) return status;
    const void *weights = weights_in(w, weights_md, stream, &status);
    if (!weights) return status;
    dnnl_memory_set_data_handle(e->src, (void *)src);
    dnnl_memory_set_data_handle(e->weights, (void *)weights);
    dnnl_memory_set_data_handle(e->dst, dst);
    dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, e->src}, {DNNL_ARG_WEIGHTS, e->weights}, {DNNL_ARG_DST, e->dst}};
    int nargs = 3;
    if (e->bias) {
        dnnl_memory_set_data_handle(e->bias, w->bias);
        args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, e->bias};
    }
    if (e->scratch) {
        void *pad = cbf16_thread_scratchpad(e->scratch_size);
        if (!pad) return dnnl_out_of_memory;
        dnnl_memory_set_data_handle(e->scratch, pad);
        args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, e->scratch};
    }
    int s = dnnl_primitive_execute(e->primitive, stream, nargs, args);
    if (s == dnnl_success) s = dnnl_stream_wait(stream);
    return s;
}

int cconv_implementation(cconv_weights *w, long batch, const long size[3], const long stride[3],
                         const long padding[3], char *name, long capacity) {
    int status;
    dnnl_stream_t stream;
    conv_entry *e = prepare(w, batch, size, stride, padding, 0, &stream, &status);
    if (!e) return status;
    snprintf(name, (size_t)capacity, "%s", e->impl);
    return 0;
}
