import XCTest
import FlowTestSupport
@testable import FlowRecords

/// Length-delimited record files: what the writer writes the reader reads back, and every kind of damage
/// is an error naming the record and its byte offset.
final class RecordFileTests: XCTestCase {
    func testVarintRoundTripsAndMatchesProtobufsEncoding() {
        XCTAssertEqual(Varint.encode(0), [0])
        XCTAssertEqual(Varint.encode(1), [1])
        XCTAssertEqual(Varint.encode(300), [0xAC, 0x02], "protobuf's documented example")
        for v: UInt64 in [127, 128, 16_383, 16_384, UInt64(UInt32.max), UInt64.max] {
            let bytes = Varint.encode(v)
            XCTAssertEqual(bytes.withUnsafeBytes { Varint.decode($0, at: 0) }, .value(v, bytes: bytes.count), "\(v)")
        }
        XCTAssertEqual(Varint.encode(UInt64.max).count, 10)
        XCTAssertEqual(([0x80, 0x80] as [UInt8]).withUnsafeBytes { Varint.decode($0, at: 0) }, .truncated)
        XCTAssertEqual([UInt8](repeating: 0xFF, count: 11).withUnsafeBytes { Varint.decode($0, at: 0) }, .overlong)
        XCTAssertEqual(([UInt8](repeating: 0xFF, count: 9) + [0x02]).withUnsafeBytes { Varint.decode($0, at: 0) }, .overlong,
                       "a 10th byte above 1 overflows 64 bits")
    }

    func testWriterAndReaderRoundTripRecordsOfEverySize() throws {
        let folder = try makeTemporaryFolder()
        let path = folder.file("records.bin")
        let records: [[UInt8]] = [[], [1], [UInt8](repeating: 7, count: 127), [UInt8](repeating: 9, count: 128), (0..<70_000).map { UInt8($0 % 251) }]
        let writer = try RecordWriter(path: path)
        for r in records { try writer.append(r) }
        try writer.close()
        XCTAssertEqual(writer.count, records.count)
        let read = try RecordReader.readAll(path: path)
        XCTAssertEqual(read.map { Array($0.bytes) }, records)
        XCTAssertEqual(read.map(\.index), Array(0..<records.count))
        XCTAssertEqual(read.map(\.offset), [0, 1, 3, 3 + 1 + 127, 3 + 1 + 127 + 2 + 128])
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, writer.bytesWritten)
    }

    func testTruncatedFileNamesTheRecordAndItsOffset() throws {
        let file = frame([[1, 2, 3], [UInt8](repeating: 5, count: 200)])
        // Cut inside the second record's body: record 1 starts at byte 4 (1 prefix byte + 3 body bytes); its
        // 2-byte prefix leaves 206 - 10 - 6 = 190 bytes of the 200 it claims.
        var reader = RecordReader(bytes: Array(file.prefix(file.count - 10)), path: "cut.bin")
        XCTAssertEqual(try reader.nextRecord().map { Array($0.bytes) }, [1, 2, 3])
        XCTAssertThrowsError(try reader.nextRecord()) { error in
            let e = error as! RecordError
            XCTAssertEqual(e.kind, .truncated)
            XCTAssertEqual(e.record, 1)
            XCTAssertEqual(e.offset, 4)
            XCTAssertTrue(e.description.hasPrefix("cut.bin: record 1 at byte 4: "), e.description)
            XCTAssertTrue(e.description.contains("claims 200 bytes but the file has 190"), e.description)
        }
        XCTAssertNil(try reader.nextRecord(), "after the damage the reader ends")
        // Cut inside the second record's two-byte length prefix.
        var inPrefix = RecordReader(bytes: Array(file.prefix(5)), path: "cut.bin")
        _ = try inPrefix.nextRecord()
        XCTAssertThrowsError(try inPrefix.nextRecord()) { XCTAssertEqual(($0 as! RecordError).kind, .truncated) }
    }

    func testHostileLengthIsRefusedWithoutAllocating() throws {
        var reader = RecordReader(bytes: Varint.encode(UInt64(1) << 40) + [0, 0], path: "hostile.bin", maxRecordBytes: 1 << 20)
        XCTAssertThrowsError(try reader.nextRecord()) { error in
            let e = error as! RecordError
            XCTAssertEqual(e.kind, .badLength)
            XCTAssertEqual(e.record, 0)
            XCTAssertEqual(e.offset, 0)
        }
        var overlong = RecordReader(bytes: [UInt8](repeating: 0xFF, count: 12), path: "hostile.bin")
        XCTAssertThrowsError(try overlong.nextRecord()) { XCTAssertEqual(($0 as! RecordError).kind, .badLength) }
    }

    func testMissingFileAndUnwritableFolderAreClearErrors() throws {
        XCTAssertThrowsError(try RecordReader(path: "/nonexistent/rollouts.pb")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/rollouts.pb: cannot read the file"), "\(error)")
        }
        XCTAssertThrowsError(try RecordWriter(path: "/nonexistent/folder/rollouts.pb")) { error in
            XCTAssertEqual((error as! RecordError).kind, .io)
        }
    }

    /// Random damage to a valid file (cuts, flipped bits, overwritten bytes, inserted garbage): the reader
    /// either reads records or stops with an error whose record index and offset are inside the file, and the
    /// records before the damage come back intact. FLOWRUN_FUZZ_ITERATIONS sets the count (CI: the default).
    func testFuzzedFilesNeverCrashTheReader() throws {
        let iterations = FuzzIterations.count
        var rng = SplitMix64(seed: 0x5EC0_4D5)
        let records: [[UInt8]] = (0..<6).map { i in (0..<(i * 97 % 300)).map { UInt8(truncatingIfNeeded: $0 * 31 + i) } }
        let valid = frame(records)
        var errors = 0
        for _ in 0..<iterations {
            let damaged = FuzzIterations.mutate(valid, &rng)
            var reader = RecordReader(bytes: damaged, path: "fuzz.bin", maxRecordBytes: 1 << 16)
            var read = 0
            do {
                while let r = try reader.nextRecord() {
                    XCTAssertEqual(r.index, read)
                    XCTAssertLessThanOrEqual(r.offset + r.bytes.count, damaged.count)
                    read += 1
                }
            } catch let e as RecordError {
                errors += 1
                XCTAssertEqual(e.record, read, "the error names the record that failed")
                XCTAssertLessThan(e.offset ?? Int.max, damaged.count, "the offset lies inside the file")
            }
        }
        XCTAssertGreaterThan(errors, iterations / 10, "the mutations must damage files often enough to test the errors")
    }

    private func frame(_ records: [[UInt8]]) -> [UInt8] { records.flatMap { Varint.encode(UInt64($0.count)) + $0 } }
}
