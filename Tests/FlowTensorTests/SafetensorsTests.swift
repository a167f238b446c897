import XCTest
import Foundation
import FlowKit

final class SafetensorsTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtensor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes raw bytes and returns the path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// A file with `header` as its JSON and `data` bytes after it.
    func file(_ name: String, header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) throws -> String {
        let json = Array(header.utf8)
        var bytes = [UInt8]()
        withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { bytes += $0 }
        return try file(name, bytes + json + data)
    }

    func assertRejects(_ path: String, tensor: String? = nil, mentioning text: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        do {
            let f = try SafetensorsFile(path: path)
            for name in f.names { _ = try f.tensor(name) }
            XCTFail("accepted a bad file: \(path)", file: file, line: line)
        } catch let e as SafetensorsError {
            XCTAssertEqual(e.path, path, file: file, line: line)
            XCTAssertEqual(e.tensor, tensor, "\(e)", file: file, line: line)
            XCTAssertTrue(e.description.contains(text), "\(e) should mention '\(text)'", file: file, line: line)
            XCTAssertTrue(e.description.contains(path), file: file, line: line)
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
        }
    }

    func testRoundTripMixedDTypesIsMappedAndAligned() throws {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], values: [1, -1, 0.5]).converted(to: .bf16)
        let c = Tensor(shape: [3], values: [1, 2, 3]).converted(to: .i8)     // 3 bytes: would misalign what follows
        let d = Tensor(shape: [0, 4], values: [])
        let p = path("mixed.safetensors")
        try SafetensorsWriter.write(["a": a, "b": b, "c": c, "empty": d], metadata: ["format": "pt", "note": "quote \" and \\"], to: p)
        let f = try SafetensorsFile(path: p)
        XCTAssertEqual(f.names, ["a", "b", "c", "empty"])
        XCTAssertEqual(f.metadata, ["format": "pt", "note": "quote \" and \\"])
        let ra = try f.tensor("a")
        XCTAssertTrue(ra.isMemoryMapped, "aligned f32 data is mapped, not copied")
        XCTAssertEqual(ra.toArray(), a.toArray())
        XCTAssertEqual(ra.shape, [2, 3])
        XCTAssertEqual(try f.tensor("b").dtype, .bf16)
        XCTAssertEqual(try f.floatTensor("b").toArray(), [1, -1, 0.5])
        XCTAssertEqual(try f.tensor("c").toArray(), [1, 2, 3])
        XCTAssertEqual(try f.tensor("empty").shape, [0, 4])
        // Writing through a mapped tensor copies first; the file is untouched.
        var copy = ra
        copy.withUnsafeMutableFloats { $0[0] = 42 }
        XCTAssertEqual(try SafetensorsFile(path: p).tensor("a").toArray()[0], 1)
    }

    func testMissingTensorNamesFileAndTensor() throws {
        let p = path("one.safetensors")
        try SafetensorsWriter.write(["x": Tensor(shape: [1], values: [1])], to: p)
        XCTAssertThrowsError(try SafetensorsFile(path: p).tensor("y")) { error in
            XCTAssertEqual((error as? SafetensorsError)?.tensor, "y")
        }
    }

    func testShortAndMissingFiles() throws {
        assertRejects(try file("empty", []), mentioning: "too short")
        assertRejects(try file("seven", [1, 2, 3, 4, 5, 6, 7]), mentioning: "too short")
        assertRejects(path("does-not-exist"), mentioning: "cannot open")
    }

    func testLyingHeaderLengths() throws {
        assertRejects(try file("huge", header: "{}", declaredLength: UInt64.max), mentioning: "exceeds")
        assertRejects(try file("past-end", header: "{}", declaredLength: 3), mentioning: "past the end")
        assertRejects(try file("short-json", header: "{\"a\":1}", declaredLength: 4), mentioning: "not valid JSON")
    }

    func testMalformedJSON() throws {
        assertRejects(try file("garbage", header: "hello"), mentioning: "not valid JSON")
        assertRejects(try file("array", header: "[1,2]"), mentioning: "not a JSON object")
        assertRejects(try file("trailing", header: "{} {}"), mentioning: "trailing")
        assertRejects(try file("deep", header: String(repeating: "[", count: 100_000)), mentioning: "nesting")
        assertRejects(try file("bad-utf8", [2, 0, 0, 0, 0, 0, 0, 0, 0x22, 0xFF]), mentioning: "not valid JSON")
        assertRejects(try file("meta", header: "{\"__metadata__\":{\"a\":1}}"), mentioning: "__metadata__")
    }

    func testBadEntries() throws {
        let data = [UInt8](repeating: 0, count: 16)
        func entry(_ dtype: String = "\"F32\"", _ shape: String = "[2]", _ offsets: String = "[0,8]") -> String {
            "{\"t\":{\"dtype\":\(dtype),\"shape\":\(shape),\"data_offsets\":\(offsets)}}"
        }
        assertRejects(try file("dtype", header: entry("\"Q7\""), data: data), tensor: "t", mentioning: "unsupported dtype 'Q7'")
        assertRejects(try file("dtype-type", header: entry("7"), data: data), tensor: "t", mentioning: "dtype")
        assertRejects(try file("neg-shape", header: entry("\"F32\"", "[-2]"), data: data), tensor: "t", mentioning: "negative")
        assertRejects(try file("float-shape", header: entry("\"F32\"", "[2.5]"), data: data), tensor: "t", mentioning: "non-integer")
        assertRejects(try file("overflow", header: entry("\"F32\"", "[4611686018427387904,4611686018427387904]"), data: data),
                      tensor: "t", mentioning: "overflows")
        assertRejects(try file("mismatch", header: entry("\"F32\"", "[3]"), data: data), tensor: "t", mentioning: "needs 12")
        assertRejects(try file("reversed", header: entry("\"F32\"", "[2]", "[8,0]"), data: data), tensor: "t", mentioning: "reversed")
        assertRejects(try file("past-data", header: entry("\"F32\"", "[4]", "[8,24]"), data: data), tensor: "t", mentioning: "past the")
        assertRejects(try file("offsets", header: entry("\"F32\"", "[2]", "[0]"), data: data), tensor: "t", mentioning: "data_offsets")
        assertRejects(try file("huge-offset", header: entry("\"F32\"", "[2]", "[18446744073709551615,0]"), data: data),
                      tensor: "t", mentioning: "data_offsets")
        assertRejects(try file("missing", header: "{\"t\":{\"dtype\":\"F32\"}}", data: data), tensor: "t", mentioning: "missing 'shape'")
        assertRejects(try file("not-object", header: "{\"t\":[]}", data: data), tensor: "t", mentioning: "not an object")
    }

    func testOverlapsAndDuplicates() throws {
        let data = [UInt8](repeating: 0, count: 16)
        let overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}"
        assertRejects(try file("overlap", header: overlap, data: data), tensor: "b", mentioning: "overlap tensor 'a'")
        let twice = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}"
        assertRejects(try file("twice", header: twice, data: data), tensor: "a", mentioning: "listed twice")
    }

    func testTruncatedRealFile() throws {
        let p = path("full.safetensors")
        try SafetensorsWriter.write(["w": Tensor(shape: [64], repeating: 1)], to: p)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: p)))
        assertRejects(try file("cut", Array(bytes.dropLast(10))), tensor: "w", mentioning: "past the")
        assertRejects(try file("cut-header", Array(bytes.prefix(20))), mentioning: "past the end")
    }

    func testMisalignedDataIsCopiedNotMisread() throws {
        // One U8 then one F32 at data offset 1: legal in the format, misaligned in memory.
        let header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[1,5]}}"
        var data: [UInt8] = [7]
        withUnsafeBytes(of: Float(2.5).bitPattern.littleEndian) { data += $0 }
        let f = try SafetensorsFile(path: try file("misaligned", header: header, data: data))
        let b = try f.tensor("b")
        XCTAssertEqual(b.toArray(), [2.5])
        XCTAssertEqual(try f.tensor("a").toArray(), [7])
    }
}
