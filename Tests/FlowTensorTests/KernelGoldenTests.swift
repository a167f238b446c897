import XCTest
import FlowKit
import FlowTestSupport

/// Every kernel against the numpy references; hyper-parameters match Training/make_kernel_fixtures.py.
final class KernelGoldenTests: XCTestCase {
    func testLinear() throws {
        let f = try Fixture("linear")
        let x = try f["x"], x3 = try f["x3"], w = try f["w"], b = try f["b"]
        let layer = Linear(weight: w, bias: b)
        assertWithin(layer(x), try f["y"], .linear(x, weight: w, bias: b), "linear")
        assertWithin(layer(x3), try f["y3"], .linear(x3, weight: w, bias: b), "linear rank 3")
        assertWithin(Linear(weight: w)(x), try f["y_nobias"], .linear(x, weight: w, bias: nil), "linear without bias")
        // bf16 weights go through the same API (widened today). Rounding a weight to bf16 moves it by
        // at most 2⁻⁸ of itself (8 significant bits), so every product, and the sum, by at most 2⁻⁸·Σ|x·w|.
        var bf16 = Tolerance.linear(x, weight: w, bias: b)
        bf16.coefficient += 0x1p-8
        assertWithin(Linear(weight: w.converted(to: .bf16), bias: b)(x), try f["y"], bf16, "linear bf16 weights")
    }

    func testMatmul() throws {
        let f = try Fixture("matmul")
        let a = try f["a"], b = try f["b"], m2 = try f["m2"]
        // K = 9 products per element; M = |a|·|b|.
        let tolerance = Tolerance.reduction(length: 9, magnitudes: Kernels.matmul(a.absolute, b.absolute))
        assertWithin(Kernels.matmul(a, b), try f["y"], tolerance, "matmul")
        // A transposed view goes to BLAS as a transpose, and must give the same result.
        assertWithin(Kernels.matmul(a, try f["bt"].transposed()), try f["y"], tolerance, "matmul transposed view")
        assertWithin(Kernels.matmul(a, m2), try f["y_shared"],
                     .reduction(length: 9, magnitudes: Kernels.matmul(a.absolute, m2.absolute)), "matmul shared b")
        // A sliced (strided) batch: rows 2..<6 of a.
        let rows = a.slice(dim: 1, 2..<6)
        assertWithin(Kernels.matmul(rows, b), try f["y"].slice(dim: 1, 2..<6).contiguous(),
                     .reduction(length: 9, magnitudes: Kernels.matmul(rows.absolute, b.absolute)), "matmul row slice")
    }

    func testNorms() throws {
        let f = try Fixture("norms")
        assertWithin(Kernels.layerNorm(try f["x"], weight: try f["w"], bias: try f["b"], epsilon: 1e-5), try f["layernorm"],
                     .golden, "layernorm")
        assertWithin(Kernels.rmsNorm(try f["x"], weight: try f["w"], epsilon: 1e-6), try f["rmsnorm"], .golden, "rmsnorm")
        assertWithin(Kernels.groupNorm(try f["g"], groups: 3, weight: try f["gw"], bias: try f["gb"], epsilon: 1e-5),
                     try f["groupnorm"], .golden, "groupnorm")
    }

    func testActivations() throws {
        let f = try Fixture("activations")
        let x = try f["x"]
        assertWithin(Kernels.gelu(x, approximation: .erf), try f["gelu_erf"], .golden, "gelu erf")
        assertWithin(Kernels.gelu(x, approximation: .tanh), try f["gelu_tanh"], .golden, "gelu tanh")
        assertWithin(Kernels.silu(x), try f["silu"], .golden, "silu")
        assertWithin(Kernels.softmax(try f["s"]), try f["softmax"], .golden, "softmax")
    }

    func testRoPE() throws {
        let f = try Fixture("rope")
        assertWithin(Kernels.rope(try f["x"], positions: try f.ints("pos")), try f["y"], .golden, "rope 1d")
        let p = try f.ints("pos3")
        let positions = stride(from: 0, to: p.count, by: 3).map { (t: p[$0], h: p[$0 + 1], w: p[$0 + 2]) }
        assertWithin(Kernels.rope3D(try f["x3"], positions: positions, sections: (8, 8, 8)), try f["y3"], .golden, "rope 3d")
    }

    func testAttentionOverSegments() throws {
        let f = try Fixture("attention")
        let firsts = [0, 5, 40]
        let segments = try (0..<3).map { KVSegment(keys: try f["k\($0)"], values: try f["v\($0)"], firstPosition: firsts[$0]) }
        let q = try f["q"]
        for (mask, name) in [(AttentionMask.none, "none"), (.causal, "causal"), (.blockCausal(blockSize: 5), "block")] {
            let y = Kernels.attention(query: q, segments: segments, queryFirstPosition: 40, mask: mask)
            assertWithin(y, try f["y_" + name], .attention(q, segments, queryFirstPosition: 40, mask: mask), "attention mask \(name)")
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
        let q = try f["q"]
        let y = Kernels.attention(query: q, segments: segments, queryFirstPosition: 40, mask: .blockCausal(blockSize: 5))
        assertWithin(y, try f["y_block"], .attention(q, segments, queryFirstPosition: 40, mask: .blockCausal(blockSize: 5)),
                     "attention over cache views")
    }

    func testConvolution() throws {
        let f = try Fixture("convolution")
        // Each output sums C/groups·taps products (+1 for the bias); the same convolution of the
        // absolute values gives their magnitudes.
        let x = try f["x"], w = try f["w"], b = try f["b"], wg = try f["wg"], w1 = try f["w1"]
        func conv(_ w: Tensor, _ b: Tensor?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                  groups: Int = 1) -> (Tensor, Tolerance) {
            let y = Kernels.conv2d(x, weight: w, bias: b, stride: stride, padding: padding, groups: groups)
            let m = Kernels.conv2d(x.absolute, weight: w.absolute, bias: b?.absolute, stride: stride, padding: padding, groups: groups)
            return (y, .reduction(length: w.count / w.size(0) + (b == nil ? 0 : 1), magnitudes: m))
        }
        let (y, ty) = conv(w, b, stride: (2, 1), padding: (1, 1))
        assertWithin(y, try f["y"], ty, "conv2d")
        let (yg, tg) = conv(wg, nil, padding: (1, 1), groups: 2)
        assertWithin(yg, try f["yg"], tg, "grouped conv2d")
        let (y1, t1) = conv(w1, nil)
        assertWithin(y1, try f["y1"], t1, "pointwise conv2d")
        let x3 = try f["x3"], w3 = try f["w3"], b3 = try f["b3"]
        let taps3 = w3.count / w3.size(0) + 1
        for (stride, name) in [((1, 1, 1), "y3"), ((1, 2, 2), "y3s")] {
            let y3 = Kernels.causalConv3d(x3, weight: w3, bias: b3, stride: stride, padding: (1, 1))
            let m3 = Kernels.causalConv3d(x3.absolute, weight: w3.absolute, bias: b3.absolute, stride: stride, padding: (1, 1))
            assertWithin(y3, try f[name], .reduction(length: taps3, magnitudes: m3), "causal conv3d stride \(stride)")
        }
    }

    func testCausalConv3dStreamsInChunks() throws {
        // Two chunks with the carried `past` frames must equal one whole run.
        let f = try Fixture("convolution")
        let x3 = try f["x3"], w3 = try f["w3"], b3 = try f["b3"]
        let first = x3.slice(dim: 2, 0..<2).contiguous(), second = x3.slice(dim: 2, 2..<5).contiguous()
        let y1 = Kernels.causalConv3d(first, weight: w3, bias: b3, padding: (1, 1))
        let y2 = Kernels.causalConv3d(second, weight: w3, bias: b3, past: first.slice(dim: 2, 0..<2).contiguous(), padding: (1, 1))
        let m = Kernels.causalConv3d(x3.absolute, weight: w3.absolute, bias: b3.absolute, padding: (1, 1))
        assertWithin(Tensor.concatenate([y1, y2], dim: 2), try f["y3"], .reduction(length: w3.count / w3.size(0) + 1, magnitudes: m),
                     "chunked causal conv3d")
    }

    func testResampling() throws {
        let f = try Fixture("resampling")
        let x = try f["x"]
        assertWithin(Kernels.upsampleNearest(x, scale: (2, 3)), try f["near"], .exact, "nearest")
        assertWithin(Kernels.upsampleBilinear(x, size: (7, 9)), try f["up"], .golden, "bilinear up")
        assertWithin(Kernels.upsampleBilinear(x, size: (3, 2)), try f["down"], .golden, "bilinear down")
        let shuffled = Kernels.pixelShuffle(try f["p"], factor: 2)
        assertWithin(shuffled, try f["shuf"], .exact, "pixel shuffle")
        assertWithin(Kernels.pixelUnshuffle(shuffled, factor: 2), try f["p"], .exact, "pixel unshuffle")
    }

    func testInt8Quantization() throws {
        let f = try Fixture("quantization")
        let x = try f["x"]
        let channel = Int8Quantized(quantizing: x, grouping: .perChannel(axis: 0))
        XCTAssertEqual(channel.values.toArray(), try f.raw("q_channel").toArray(), "int8 per-channel codes")
        assertWithin(channel.scales, try f["s_channel"], .exact, "int8 per-channel scales")
        assertWithin(channel.dequantized(), try f["deq_channel"], .exact, "int8 per-channel dequantize")
        let block = Int8Quantized(quantizing: x, grouping: .perBlock(size: 16))
        XCTAssertEqual(block.values.toArray(), try f.raw("q_block").toArray(), "int8 per-block codes")
        assertWithin(block.scales, try f["s_block"], .exact, "int8 per-block scales")
        // Round trip error is at most half a step per element.
        let back = block.dequantized().toArray(), orig = x.toArray(), s = block.scales.toArray()
        for i in 0..<orig.count { XCTAssertLessThanOrEqual(abs(back[i] - orig[i]), s[i / 16] * 0.5 + 1e-7) }
    }

    func testInt4Quantization() throws {
        let f = try Fixture("quantization")
        let q = Int4BlockQuantized(quantizing: try f["x"], blockSize: 32)
        XCTAssertEqual(q.packed.toArray(), try f.raw("q4").toArray(), "int4 packed codes")
        assertWithin(q.scales, try f["s4"], .exact, "int4 scales")
        assertWithin(q.dequantized(), try f["deq4"], .exact, "int4 dequantize")
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
