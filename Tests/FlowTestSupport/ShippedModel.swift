import Foundation
import XCTest
import FlowKit

/// The shipped model (Models/world-tiny) and its golden fixtures (Tests/ModelFixtures, made by
/// Training/export.py --fixtures); a test skips until both are exported.
public enum ShippedModel {
    public static func fixture(_ fixture: String, model section: String) throws -> (String, SafetensorsFile) {
        let root = Repository.root
        let modelDir = root.appendingPathComponent("Models/world-tiny").path
        let path = root.appendingPathComponent("Tests/ModelFixtures/\(fixture).safetensors").path
        guard FileManager.default.fileExists(atPath: path),
              let folder = try? ModelFolder(path: modelDir), (try? folder.section(section)) != nil else {
            throw XCTSkip("Models/world-tiny (\(section)) or Tests/ModelFixtures/\(fixture) not exported yet")
        }
        return (modelDir, try SafetensorsFile(path: path))
    }
}
