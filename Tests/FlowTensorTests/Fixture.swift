import Foundation
import XCTest
import FlowKit
import FlowTestSupport

/// The kernel fixtures in this target's bundle.
let kernelFixtures = FixtureFolder(bundle: .module, origin: "run Training/make_kernel_fixtures.py")

/// Loads the numpy golden files (Training/make_kernel_fixtures.py).
struct Fixture {
    let file: SafetensorsFile

    init(_ name: String) throws { file = try kernelFixtures.safetensors(name) }

    subscript(_ name: String) -> Tensor { get throws { try file.floatTensor(name) } }
    func raw(_ name: String) throws -> Tensor { try file.tensor(name) }
    func ints(_ name: String) throws -> [Int] { try file.floatTensor(name).toArray().map { Int($0) } }
}
