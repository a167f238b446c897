/// numpy's pairwise summation (`pairwise_sum` in loops_utils.h), in the element type, the order numpy adds in when
/// it sums a contiguous run: eight running sums per block of up to 128, halves above that. The frame analysis sums
/// float32 alpha maps this way so that areas and template errors match analyzer.py to the last bit, which keeps
/// threshold and shape decisions identical on close calls.
func pairwiseSum<T: BinaryFloatingPoint>(_ x: ArraySlice<T>) -> T {
    let n = x.count, a = x.startIndex
    if n < 8 {
        var sum: T = 0
        for i in 0..<n { sum += x[a + i] }
        return sum
    }
    if n <= 128 {
        var r = (0..<8).map { x[a + $0] }
        var i = 8
        while i < n - n % 8 {
            for j in 0..<8 { r[j] += x[a + i + j] }
            i += 8
        }
        var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n {
            sum += x[a + i]
            i += 1
        }
        return sum
    }
    var half = n / 2
    half -= half % 8
    return pairwiseSum(x[a..<(a + half)]) + pairwiseSum(x[(a + half)...])
}

func pairwiseSum<T: BinaryFloatingPoint>(_ x: [T]) -> T { pairwiseSum(x[...]) }
