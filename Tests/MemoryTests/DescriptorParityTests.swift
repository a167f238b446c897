import XCTest
import FlowKit
@testable import MemoryNodes

/// The shipped descriptor against its golden fixture (Tests/ModelFixtures/descriptor.safetensors: the numpy
/// reference `descriptor_forward` of Training/reference.py in float64, made by Training/export.py --fixtures).
final class DescriptorParityTests: XCTestCase {
    private func model() throws -> (DescriptorModel, SafetensorsFile) {
        let (dir, fx) = try ShippedModel.fixture("descriptor", model: "descriptor")
        return (try DescriptorModel(folder: try ModelFolder(path: dir)), fx)
    }

    /// Three convolutions, a linear layer and a norm: the network model of the rounding errors, with K the
    /// sum of the reductions along the path (9·16+1, 9·64+1, 9·64+1, 512+1, 256).
    func testDescriptorsMatchTheGoldenFixture() throws {
        let (model, fx) = try model()
        let latents = try fx.f32("latents"), expected = try fx.f32("descriptors")
        XCTAssertEqual(latents.shape, [4, 16, 8, 8])
        XCTAssertEqual(expected.shape, [4, 256])
        XCTAssertEqual(model.config.reductionLength, 145 + 577 + 577 + 513 + 256)
        let actual = try model.descriptors(latents)
        let result = assertWithin(actual, expected, Tolerance.network(reductionLength: Double(model.config.reductionLength)),
                                  "shipped descriptors")
        print("shipped descriptor vs reference: error/bound \(result?.worstRatio ?? .infinity), max error \(result?.maxError ?? .infinity)")
    }

    /// One frame at a time (as the node describes evictions) gives what the batch gives, and unit rows.
    func testOneFrameAtATimeMatchesTheBatchAndIsUnitLength() throws {
        let (model, fx) = try model()
        let latents = try fx.f32("latents")
        let batch = try model.descriptors(latents)
        for i in 0..<latents.shape[0] {
            let one = try model.descriptor(latents.select(dim: 0, i))
            assertWithin(one, batch.select(dim: 0, i).contiguous().toArray(),
                         Tolerance.network(reductionLength: Double(model.config.reductionLength), evaluations: 2), "frame \(i)")
            let norm = one.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            XCTAssertEqual(norm, 1, accuracy: 1e-5, "frame \(i) is a unit vector")
        }
    }

    func testAFrameOfTheWrongShapeIsAnErrorNamingBothShapes() throws {
        let (model, _) = try model()
        XCTAssertThrowsError(try model.descriptor(Tensor(zeros: [8, 8, 8]))) { error in
            XCTAssertTrue("\(error)".contains("[1, 8, 8, 8]"), "\(error)")
            XCTAssertTrue("\(error)".contains("16, 8, 8"), "\(error)")
        }
        XCTAssertThrowsError(try model.descriptor(Tensor(zeros: [16, 64]))) { error in
            XCTAssertTrue("\(error)".contains("[16, 64]"), "\(error)")
        }
    }

    func testTheConfigEntryIsRead() throws {
        let (model, _) = try model()
        XCTAssertEqual(model.config, DescriptorConfig(latentChannels: 16, channels: 64, outDim: 256, normEpsilon: 1e-6, latentSize: 8))
        XCTAssertEqual(model.config.features, 512)
    }
}
