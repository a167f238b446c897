import Foundation
import XCTest
import FlowKit

/// The LongLive fixtures (Training/make_longlive_fixtures.py): a small random world-tiny and
/// reference.py outputs computed from it in float64.
enum Fixtures {
    static var directory: String { Bundle.module.resourcePath! + "/Fixtures" }
    static var modelFolder: String { directory + "/model" }

    static func file(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(path: directory + "/" + name + ".safetensors")
    }

    static func tensor(_ file: SafetensorsFile, _ name: String) throws -> Tensor {
        try file.floatTensor(name).contiguous()
    }
}

/// Largest absolute difference of two same-shaped tensors.
func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shapes differ: \(a.shape) vs \(b.shape)")
    return a.withUnsafeFloats { x in
        b.withUnsafeFloats { y in
            var m: Float = 0
            for i in 0..<x.count { m = max(m, abs(x[i] - y[i])) }
            return m
        }
    }
}

func maxAbs(_ a: Tensor) -> Float { a.withUnsafeFloats { $0.reduce(0) { max($0, abs($1)) } } }
