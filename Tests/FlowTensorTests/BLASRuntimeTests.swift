import XCTest
import FlowKit

final class BLASRuntimeTests: XCTestCase {
    func testExplicitChoiceWins() {
        XCTAssertEqual(BLASRuntime.wantedKernel(arguments: ["x", "--blas-kernel", "Haswell"], environment: [:]), "Haswell")
        XCTAssertEqual(BLASRuntime.wantedKernel(arguments: ["x", "--blas-kernel=Zen"], environment: ["FLOWRUN_BLAS_KERNEL": "Haswell"]), "Zen")
        XCTAssertEqual(BLASRuntime.wantedKernel(arguments: ["x"], environment: ["FLOWRUN_BLAS_KERNEL": "Haswell"]), "Haswell")
        XCTAssertNil(BLASRuntime.wantedKernel(arguments: ["x"], environment: ["FLOWRUN_BLAS_KERNEL": "keep"]))
    }

    func testAutoFollowsCPUFlags() {
        let auto = BLASRuntime.wantedKernel(arguments: ["x"], environment: [:])
        XCTAssertEqual(auto, CPUFeatures.current().bestOpenBLASCore)
        if CPUFeatures.current().flags.contains("avx512f") { XCTAssertEqual(auto, "SkylakeX") }
    }

    func testReportNamesKernelAndThreads() {
        XCTAssertFalse(BLASRuntime.coreName.isEmpty)
        XCTAssertTrue(BLASRuntime.description.contains(BLASRuntime.coreName))
        XCTAssertTrue(BLASRuntime.description.contains("threads"))
        let before = BLASRuntime.threads
        BLASRuntime.setThreads(1)
        XCTAssertEqual(BLASRuntime.threads, 1)
        BLASRuntime.setThreads(before)
    }

    func testSgemmWithTransposes() {
        // [2x3] · [3x2]ᵀ-stored: A = [[1,2,3],[4,5,6]], B stored as Bᵀ = [[1,0,1],[0,1,0]].
        let a: [Float] = [1, 2, 3, 4, 5, 6], bt: [Float] = [1, 0, 1, 0, 1, 0]
        var c = [Float](repeating: 0, count: 4)
        BLAS.sgemm(.none, .transposed, m: 2, n: 2, k: 3, a: a, lda: 3, b: bt, ldb: 3, c: &c, ldc: 2)
        XCTAssertEqual(c, [4, 2, 10, 5])
    }
}
