// What the GEMMs (cbf16.c) and the convolutions (conv.c) share: one CPU engine, how a primitive is
// described, and per thread one stream and one scratchpad (a thread runs one primitive at a time).
// Private to CBF16.
#ifndef FLOWRUN_DNNL_SHARED_H
#define FLOWRUN_DNNL_SHARED_H

#include <dnnl.h>
#include <stddef.h>

/// The CPU engine, or NULL when oneDNN could not make one. Does not need native bf16.
dnnl_engine_t cbf16_engine(void);
/// The calling thread's stream (made on first use, with oneDNN limited to this thread), or NULL.
dnnl_stream_t cbf16_thread_stream(void);
/// The calling thread's scratchpad, grown to at least `size` bytes; NULL when out of memory.
void *cbf16_thread_scratchpad(size_t size);
/// The primitive descriptor of `op` (a matmul or convolution descriptor) as both callers make it: the scratchpad
/// given by the caller (the thread's, see above) and, with `accumulate`, the result added to the destination.
dnnl_status_t cbf16_primitive_desc(dnnl_primitive_desc_t *pd, const_dnnl_op_desc_t op, int accumulate, dnnl_engine_t engine);

#endif
