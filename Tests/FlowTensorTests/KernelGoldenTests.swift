import XCTest
import FlowKit

/// Every kernel against the numpy references; hyper-parameters match Training/make_kernel_fixtures.py.
final class KernelGoldenTests: XCTestCase {
    func testLinear() throws {
        let f = try Fixture("linear")
        let layer = Linear(weight: try f["w"], bias: try f["b"])
        assertClose(layer(try f["x"]), try f["y"], absolute: 1e-5, "linear")
        assertClose(layer(try f["x3"]), try f["y3"], absolute: 1e-5, "linear rank 3")
        assertClose(Linear(weight: try f["w"])(try f["x"]), try f["y_nobias"], absolute: 1e-5, "linear without bias")
        // bf16 weights go through the same API (widened today).
        let bfLayer = Linear(weight: try f["w"].converted(to: .bf16), bias: try f["b"])
        assertClose(bfLayer(try f["x"]), try f["y"], relative: 2e-2, absolute: 2e-2, "linear bf16 weights")
    }

    func testMatmul() throws {
        let f = try Fixture("matmul")
        assertClose(Kernels.matmul(try f["a"], try f["b"]), try f["y"], absolute: 1e-5, "matmul")
        // A transposed view goes to BLAS as a transpose, and must give the same result.
        assertClose(Kernels.matmul(try f["a"], try f["bt"].transposed()), try f["y"], absolute: 1e-5, "matmul transposed view")
        assertClose(Kernels.matmul(try f["a"], try f["m2"]), try f["y_shared"], absolute: 1e-5, "matmul shared b")
        // A sliced (strided) batch: every second row of a.
        let a = try f["a"], b = try f["b"]
        let rows = a.slice(dim: 1, 2..<6)
        assertClose(Kernels.matmul(rows, b), try f["y"].slice(dim: 1, 2..<6).contiguous(), absolute: 1e-5, "matmul row slice")
    }

    func testNorms() throws {
        let f = try Fixture("norms")
        assertClose(Kernels.layerNorm(try f["x"], weight: try f["w"], bias: try f["b"], epsilon: 1e-5), try f["layernorm"], "layernorm")
        assertClose(Kernels.rmsNorm(try f["x"], weight: try f["w"], epsilon: 1e-6), try f["rmsnorm"], "rmsnorm")
        assertClose(Kernels.groupNorm(try f["g"], groups: 3, weight: try f["gw"], bias: try f["gb"], epsilon: 1e-5),
                    try f["groupnorm"], "groupnorm")
    }

    func testActivations() throws {
        let f = try Fixture("activations")
        let x = try f["x"]
        assertClose(Kernels.gelu(x, approximation: .erf), try f["gelu_erf"], "gelu erf")
        assertClose(Kernels.gelu(x, approximation: .tanh), try f["gelu_tanh"], "gelu tanh")
        assertClose(Kernels.silu(x), try f["silu"], "silu")
        assertClose(Kernels.softmax(try f["s"]), try f["softmax"], "softmax")
    }

    func testRoPE() throws {
        let f = try Fixture("rope")
        assertClose(Kernels.rope(try f["x"], positions: try f.ints("pos")), try f["y"], "rope 1d")
        let p = try f.ints("pos3")
        let positions = stride(from: 0, to: p.count, by: 3).map { (t: p[$0], h: p[$0 + 1], w: p[$0 + 2]) }
        assertClose(Kernels.rope3D(try f["x3"], positions: positions, sections: (8, 8, 8)), try f["y3"], "rope 3d")
    }

    func testAttentionOverSegments() throws {
        let f = try Fixture("attention")
        let firsts = [0, 5, 40]
        let segments = try (0..<3).map { KVSegment(keys: try f["k\($0)"], values: try f["v\($0)"], firstPosition: firsts[$0]) }
        let q = try f["q"]
        for (mask, name) in [(AttentionMask.none, "none"), (.causal, "causal"), (.blockCausal(blockSize: 5), "block")] {
            let y = Kernels.attention(query: q, segments: segments, queryFirstPosition: 40, mask: mask)
            assertClose(y, try f["y_" + name], absolute: 1e-5, "attention mask \(name)")
        }
    }

    func testAttentionReadsCacheViewsInPlace() throws {
        // Segments that are slices of one larger cache (strided in the head dimension) must give
        // the same answer as the fixture's separate tensors.
        let f = try Fixture("attention")
        let k1 = try f["k1"], v1 = try f["v1"]
        let cacheK = Tensor.concatenate([try f["k0"], k1, try f["k2"]], dim: 1)
        let cacheV = Tensor.concatenate([try f["v0"], v1, try f["v2"]], dim: 1)
        let segments = [
            KVSegment(keys: cacheK.slice(dim: 1, 0..<3), values: cacheV.slice(dim: 1, 0..<3), firstPosition: 0),
            KVSegment(keys: cacheK.slice(dim: 1, 3..<303), values: cacheV.slice(dim: 1, 3..<303), firstPosition: 5),
            KVSegment(keys: cacheK.slice(dim: 1, 303..<313), values: cacheV.slice(dim: 1, 303..<313), firstPosition: 40),
        ]
        XCTAssertFalse(segments[1].keys.isContiguous, "test needs a strided view")
        let y = Kernels.attention(query: try f["q"], segments: segments, queryFirstPosition: 40, mask: .blockCausal(blockSize: 5))
        assertClose(y, try f["y_block"], absolute: 1e-5, "attention over cache views")
    }

    func testConvolution() throws {
        let f = try Fixture("convolution")
        assertClose(Kernels.conv2d(try f["x"], weight: try f["w"], bias: try f["b"], stride: (2, 1), padding: (1, 1)),
                    try f["y"], absolute: 1e-5, "conv2d")
        assertClose(Kernels.conv2d(try f["x"], weight: try f["wg"], padding: (1, 1), groups: 2), try f["yg"], absolute: 1e-5, "grouped conv2d")
        assertClose(Kernels.conv2d(try f["x"], weight: try f["w1"]), try f["y1"], absolute: 1e-5, "pointwise conv2d")
        let x3 = try f["x3"], w3 = try f["w3"], b3 = try f["b3"]
        assertClose(Kernels.causalConv3d(x3, weight: w3, bias: b3, padding: (1, 1)), try f["y3"], absolute: 1e-5, "causal conv3d")
        assertClose(Kernels.causalConv3d(x3, weight: w3, bias: b3, stride: (1, 2, 2), padding: (1, 1)), try f["y3s"],
                    absolute: 1e-5, "strided causal conv3d")
    }

    func testCausalConv3dStreamsInChunks() throws {
        // Two chunks with the carried `past` frames must equal one whole run.
        let f = try Fixture("convolution")
        let x3 = try f["x3"], w3 = try f["w3"], b3 = try f["b3"]
        let first = x3.slice(dim: 2, 0..<2).contiguous(), second = x3.slice(dim: 2, 2..<5).contiguous()
        let y1 = Kernels.causalConv3d(first, weight: w3, bias: b3, padding: (1, 1))
        let y2 = Kernels.causalConv3d(second, weight: w3, bias: b3, past: first.slice(dim: 2, 0..<2).contiguous(), padding: (1, 1))
        assertClose(Tensor.concatenate([y1, y2], dim: 2), try f["y3"], absolute: 1e-5, "chunked causal conv3d")
    }

    func testResampling() throws {
        let f = try Fixture("resampling")
        let x = try f["x"]
        assertClose(Kernels.upsampleNearest(x, scale: (2, 3)), try f["near"], relative: 0, absolute: 0, "nearest")
        assertClose(Kernels.upsampleBilinear(x, size: (7, 9)), try f["up"], "bilinear up")
        assertClose(Kernels.upsampleBilinear(x, size: (3, 2)), try f["down"], "bilinear down")
        let shuffled = Kernels.pixelShuffle(try f["p"], factor: 2)
        assertClose(shuffled, try f["shuf"], relative: 0, absolute: 0, "pixel shuffle")
        assertClose(Kernels.pixelUnshuffle(shuffled, factor: 2), try f["p"], relative: 0, absolute: 0, "pixel unshuffle")
    }

    func testInt8Quantization() throws {
        let f = try Fixture("quantization")
        let x = try f["x"]
        let channel = Int8Quantized(quantizing: x, grouping: .perChannel(axis: 0))
        XCTAssertEqual(channel.values.toArray(), try f.raw("q_channel").toArray(), "int8 per-channel codes")
        assertClose(channel.scales, try f["s_channel"], relative: 0, absolute: 0, "int8 per-channel scales")
        assertClose(channel.dequantized(), try f["deq_channel"], relative: 0, absolute: 0, "int8 per-channel dequantize")
        let block = Int8Quantized(quantizing: x, grouping: .perBlock(size: 16))
        XCTAssertEqual(block.values.toArray(), try f.raw("q_block").toArray(), "int8 per-block codes")
        assertClose(block.scales, try f["s_block"], relative: 0, absolute: 0, "int8 per-block scales")
        // Round trip error is at most half a step per element.
        let back = block.dequantized().toArray(), orig = x.toArray(), s = block.scales.toArray()
        for i in 0..<orig.count { XCTAssertLessThanOrEqual(abs(back[i] - orig[i]), s[i / 16] * 0.5 + 1e-7) }
    }

    func testInt4Quantization() throws {
        let f = try Fixture("quantization")
        let q = Int4BlockQuantized(quantizing: try f["x"], blockSize: 32)
        XCTAssertEqual(q.packed.toArray(), try f.raw("q4").toArray(), "int4 packed codes")
        assertClose(q.scales, try f["s4"], relative: 0, absolute: 0, "int4 scales")
        assertClose(q.dequantized(), try f["deq4"], relative: 0, absolute: 0, "int4 dequantize")
    }

    func testHalfPrecisionConversions() throws {
        let f = try Fixture("dtypes")
        let x = try f["x"]
        XCTAssertEqual(x.converted(to: .f16).toArray(), try f.raw("f16").toArray(), "f32 -> f16")
        let bf = x.converted(to: .bf16)
        XCTAssertEqual(bf.toArray(), try f["bf16_as_f32"].toArray(), "f32 -> bf16 round half even")
        XCTAssertEqual(try f.raw("bf16").dtype, .bf16)
        XCTAssertEqual(try f.raw("bf16").toArray(), try f["bf16_as_f32"].toArray(), "bf16 -> f32")
    }
}
