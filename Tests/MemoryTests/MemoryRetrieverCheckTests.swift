import Foundation
import XCTest
import FlowKit
@testable import MemoryNodes

/// memory.retriever's compile-time checks against the model folder's config.json.
final class MemoryRetrieverCheckTests: XCTestCase {
    /// The shipped denoiser's frame: 6 layers x K and V x 3 heads x 16 tokens x head_dim 64, plus 256 f32.
    static let f32Frame = 6 * 2 * 3 * 16 * 64 * 4 + 256 * 4      // 148,480
    static let int8Frame = 6 * 2 * 3 * 16 * (64 + 4) + 256 * 4   // 40,192

    private func problems(_ given: [String: ParamValue], model: String? = nil) throws -> [ParamProblem] {
        var all = given
        all["model"] = .string(try model ?? MemoryFixtures.shippedModel())
        return MemoryRetrieverNode.check(try MemoryRetrieverNode.contract.resolve(all))
    }

    func testTheDefaultsPass() throws {
        XCTAssertEqual(try problems([:]), [])
    }

    func testABudgetThatCannotHoldKPlusTheExcludedFramesIsAnError() throws {
        // 1 MiB holds 7 f32 frames; k 3 + exclude_recent 5 = 8 are needed.
        XCTAssertEqual(1_048_576 / Self.f32Frame, 7)
        let found = try problems(["budget_mb": .float(1)])
        XCTAssertEqual(found.map(\.param), ["budget_mb"])
        XCTAssertEqual(found.first?.severity, .error)
        let message = try XCTUnwrap(found.first?.message)
        XCTAssertTrue(message.contains("holds 7 banked frame(s) of \(Self.f32Frame) bytes"), message)
        XCTAssertTrue(message.contains("k 3 needs 8"), message)
        XCTAssertTrue(message.contains("newest 5 evictions (exclude_recent) are never candidates"), message)
        XCTAssertTrue(message.contains("at least 1.14"), message)   // 8 x 148,480 bytes = 1.133 MiB
        XCTAssertTrue(message.contains("int8"), message)
        // int8 frames fit 26 in the same MiB; a smaller k or exclusion fits f32.
        XCTAssertEqual(try problems(["budget_mb": .float(1), "precision": .string("int8")]), [])
        XCTAssertEqual(try problems(["budget_mb": .float(1), "exclude_recent": .int(4)]), [])
        let int8 = try problems(["budget_mb": .float(0.25), "precision": .string("int8"), "k": .int(2)])
        XCTAssertEqual(int8.map(\.param), ["budget_mb"])
        XCTAssertTrue(int8.first?.message.contains("holds 6 banked frame(s) of \(Self.int8Frame) bytes") == true, "\(int8)")
        XCTAssertThrowsError(try NodeHarness(MemoryRetrieverNode.self, params: ["model": .string(try MemoryFixtures.shippedModel()),
                                                                               "budget_mb": .float(1)])) { error in
            XCTAssertTrue("\(error)".contains("param 'budget_mb'"), "\(error)")
        }
    }

    func testTheCheckChargesWhatTheBankCharges() throws {
        XCTAssertEqual(MemoryBank.frameBytes(layers: 6, heads: 3, tokens: 16, headDim: 64, precision: .f32), Self.f32Frame)
        XCTAssertEqual(MemoryBank.frameBytes(layers: 6, heads: 3, tokens: 16, headDim: 64, precision: .int8), Self.int8Frame)
        for precision in BankPrecision.allCases {
            var bank = MemoryBank(budgetBytes: 1 << 20, precision: precision)
            let kv = { (s: Int) in (0..<6).map { l in Tensor(shape: [3, 16, 64]) { out in for i in 0..<out.count { out[i] = Float((i * 31 + l * 7 + s) % 97) / 50 - 1 } } } }
            try bank.add(KVEviction(frame: KVFrame(position: 3, keys: kv(0), values: kv(1), latent: nil, promptGeneration: 0), reason: .window, sequence: 1),
                         descriptor: [Float](repeating: 0.0625, count: 256))
            XCTAssertEqual(bank.bytes, precision == .f32 ? Self.f32Frame : Self.int8Frame)
        }
    }

    func testAZeroBudgetIsAnError() throws {
        let found = try problems(["budget_mb": .float(0)])
        XCTAssertEqual(found.map(\.param), ["budget_mb"])
        XCTAssertTrue(found[0].message.contains("more than 0"), found[0].message)
    }

    /// A model folder whose descriptor reads latents of another width than the denoiser makes.
    func testMismatchedLatentChannelsAreAnErrorAtModel() throws {
        let shipped = try MemoryFixtures.shippedModel()
        let dir = try makeTemporaryFolder()
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: shipped + "/config.json"))) as? [String: Any])
        var descriptor = try XCTUnwrap(config["descriptor"] as? [String: Any])
        descriptor["latent_channels"] = 8
        config["descriptor"] = descriptor
        try JSONSerialization.data(withJSONObject: config).write(to: dir.url.appendingPathComponent("config.json"))
        try FileManager.default.createSymbolicLink(atPath: dir.file("descriptor.safetensors"), withDestinationPath: shipped + "/descriptor.safetensors")
        let found = try problems([:], model: dir.path)
        XCTAssertEqual(found.map(\.param), ["model"])
        XCTAssertTrue(found[0].message.contains("8-channel"), found[0].message)
        XCTAssertTrue(found[0].message.contains("16-channel"), found[0].message)
        XCTAssertTrue(found[0].message.contains(dir.path), found[0].message)
    }

    func testAConfigWithoutADescriptorEntryIsAnErrorAtModel() throws {
        let shipped = try MemoryFixtures.shippedModel()
        let dir = try makeTemporaryFolder()
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: shipped + "/config.json"))) as? [String: Any])
        config["descriptor"] = nil
        try JSONSerialization.data(withJSONObject: config).write(to: dir.url.appendingPathComponent("config.json"))
        let found = try problems([:], model: dir.path)
        XCTAssertEqual(found.map(\.param), ["model"])
        XCTAssertTrue(found[0].message.contains("no 'descriptor' entry"), found[0].message)
    }

    func testAFolderWithoutTheDescriptorWeightsIsAnErrorAtModel() throws {
        let shipped = try MemoryFixtures.shippedModel()
        let dir = try makeTemporaryFolder()
        try FileManager.default.copyItem(atPath: shipped + "/config.json", toPath: dir.file("config.json"))
        let found = try problems([:], model: dir.path)
        XCTAssertEqual(found.map(\.param), ["model"])
        XCTAssertTrue(found[0].message.contains("\(dir.path)/descriptor.safetensors does not exist"), found[0].message)
    }

    /// A folder that is not there is reported as every model-loading node reports it.
    func testAMissingModelFolderIsReportedAtModel() throws {
        let found = try problems([:], model: "/nonexistent/world-tiny")
        XCTAssertEqual(found.map(\.param), ["model"])
        XCTAssertTrue(found[0].message.contains("/nonexistent/world-tiny"), found[0].message)
    }
}
