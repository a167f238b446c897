import XCTest
import Dispatch
import FlowKit

final class TensorTests: XCTestCase {
    let grid = Tensor(shape: [2, 3, 4], values: (0..<24).map(Float.init))

    func testShapeStridesAndSubscript() {
        XCTAssertEqual(grid.shape, [2, 3, 4])
        XCTAssertEqual(grid.strides, [12, 4, 1])
        XCTAssertEqual(grid.count, 24)
        XCTAssertTrue(grid.isContiguous)
        XCTAssertEqual(grid[1, 2, 3], 23)
        XCTAssertEqual(grid.size(-1), 4)
    }

    func testSliceIsAViewWithOffset() {
        let s = grid.slice(dim: 1, 1..<3)
        XCTAssertEqual(s.shape, [2, 2, 4])
        XCTAssertFalse(s.isContiguous)
        XCTAssertEqual(s[0, 0, 0], 4)
        XCTAssertEqual(s.toArray(), [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
        let row = grid.select(dim: 0, 1)
        XCTAssertEqual(row.shape, [3, 4])
        XCTAssertTrue(row.isContiguous)
        XCTAssertEqual(row[0, 0], 12)
    }

    func testTransposeSwapsStridesWithoutCopy() {
        let t = grid.transposed(1, 2)
        XCTAssertEqual(t.shape, [2, 4, 3])
        XCTAssertEqual(t.strides, [12, 1, 4])
        XCTAssertEqual(t[1, 3, 2], grid[1, 2, 3])
        let c = t.contiguous()
        XCTAssertTrue(c.isContiguous)
        XCTAssertEqual(c[1, 3, 2], 23)
        XCTAssertEqual(c.toArray().prefix(6), [0, 4, 8, 1, 5, 9])
        XCTAssertEqual(grid.permuted([2, 0, 1])[3, 1, 2], grid[1, 2, 3])
    }

    func testDescriptionShowsDTypeShapeAndLeadingValues() {
        XCTAssertEqual(Tensor(shape: [2, 2], values: [1, 2, 3, 4]).transposed().description, "f32[2, 2] [1.0, 3.0, 2.0, 4.0]")
        XCTAssertTrue(grid.description.hasSuffix(" ..."))
    }

    func testReshape() {
        XCTAssertEqual(grid.reshaped([6, -1]).shape, [6, 4])
        XCTAssertEqual(grid.transposed().reshaped([24]).toArray()[1], 4)
    }

    func testCopyOnWrite() {
        let a = Tensor(shape: [4], values: [1, 2, 3, 4])
        var b = a
        b.withUnsafeMutableFloats { $0[0] = 100 }
        XCTAssertEqual(a.toArray(), [1, 2, 3, 4], "writing a copy must not change the original")
        XCTAssertEqual(b.toArray(), [100, 2, 3, 4])
        // A view written through becomes its own tensor too.
        var view = grid.slice(dim: 2, 1..<2)
        view.withUnsafeMutableFloats { $0[0] = -1 }
        XCTAssertEqual(grid[0, 0, 1], 1)
        XCTAssertEqual(view[0, 0, 0], -1)
    }

    func testTensorsCrossThreads() {
        // Value semantics: each worker mutates its own copy of a shared tensor.
        let shared = Tensor(shape: [1000], repeating: 1)
        let sums = SumBox()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            var mine = shared
            mine.withUnsafeMutableFloats { for j in 0..<$0.count { $0[j] += Float(i) } }
            sums.add(i, mine.toArray().reduce(0, +))
        }
        XCTAssertEqual(shared.toArray().reduce(0, +), 1000)
        for i in 0..<8 { XCTAssertEqual(sums.value(i), Float(1000 * (1 + i))) }
    }

    func testConcatenate() {
        let a = Tensor(shape: [2, 1], values: [1, 2]), b = Tensor(shape: [2, 2], values: [3, 4, 5, 6])
        XCTAssertEqual(Tensor.concatenate([a, b], dim: 1).toArray(), [1, 3, 4, 2, 5, 6])
        XCTAssertEqual(Tensor.concatenate([a.transposed(), b.slice(dim: 0, 0..<1)], dim: 0).toArray(), [1, 2, 3, 4])
    }

    func testDTypeConversionsRoundTrip() {
        let x = Tensor(shape: [5], values: [0, 1, -1.5, 65504, 0.1])
        XCTAssertEqual(x.converted(to: .f16).toArray(), [0, 1, -1.5, 65504, Float(Float16(0.1))])
        XCTAssertEqual(x.converted(to: .bf16).dtype, .bf16)
        XCTAssertEqual(x.converted(to: .bf16).toArray()[2], -1.5)
        XCTAssertEqual(Tensor(shape: [3], values: [1.4, -300, 2.5]).converted(to: .i8).toArray(), [1, -128, 2])
        XCTAssertEqual(ElementConversion.bf16Bits(.nan) & 0x7FC0, 0x7FC0, "NaN stays NaN")
    }

    func testKernelsAcceptViews() {
        // A transposed input is read correctly by an elementwise kernel.
        let t = grid.transposed(1, 2)
        XCTAssertEqual(Kernels.scale(t, by: 2).toArray(), t.contiguous().toArray().map { $0 * 2 })
        XCTAssertEqual(Kernels.add(grid, Tensor(shape: [4], values: [1, 1, 1, 1])).toArray()[23], 24)
    }
}

private final class SumBox: @unchecked Sendable {
    private var sums = [Float](repeating: 0, count: 8)
    private let lock = NSLockLike()
    func add(_ i: Int, _ v: Float) { lock.locked { sums[i] = v } }
    func value(_ i: Int) -> Float { lock.locked { sums[i] } }
}

private final class NSLockLike: @unchecked Sendable {
    private let queue = DispatchQueue(label: "sum")
    func locked<R>(_ body: () -> R) -> R { queue.sync(execute: body) }
}
