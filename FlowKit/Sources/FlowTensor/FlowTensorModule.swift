// FlowTensor: the numeric core every model node runs on (issue 3). Node authors get it through
// `import FlowKit`. Map of the module:
//
//   Tensor/         Tensor (shape, strides, views, copy-on-write storage, mmap), DType,
//                   f16/bf16 conversion, MappedFile.
//   BLAS/           BLAS (typed cblas wrappers), BLASRuntime (kernel selection by re-exec,
//                   thread budget, report line), CPUFeatures.
//   Kernels/        Kernels.* (linear, matmul, norms, activations, softmax, RoPE, tiled attention,
//                   convolutions, resampling) and Linear, KVSegment, AttentionMask. The exp-heavy
//                   loops (softmax, attention's online softmax, SiLU, GELU, sigmoid, layer/RMS
//                   norm rows) are C in the CKernels target, compiled for baseline, AVX2 and
//                   AVX-512 and picked at run time (VectorISA).
//   Quantization/   Int8Quantized (per channel / per block), Int4BlockQuantized.
//   Safetensors/    SafetensorsFile (validated mmap reader), SafetensorsHeader, SafetensorsWriter.
//
// Kernels compute in f32 and return fresh contiguous tensors; golden tests against numpy live in
// Tests/FlowTensorTests (fixtures from Training/make_kernel_fixtures.py); speed in TensorBench.

/// Module identity.
public enum FlowTensorModule { public static let name = "FlowTensor" }
