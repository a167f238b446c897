import Foundation
import FlowKit
import Synchronization

/// Digests of model folders: a snapshot made with other weights must not be resumed, whatever the folder
/// is called. A folder's digest covers the files a model is made of (config.json, *.safetensors): their
/// names, sizes and bytes. Digests are kept per process by path, size and modification time, so a test
/// run that snapshots many times reads each model once.
enum ModelFingerprints {
    private static let cache = Mutex<[String: (stamp: String, digest: String)]>([:])

    static func digest(folder: String) throws -> String {
        let fm = FileManager.default
        let names = try fm.contentsOfDirectory(atPath: folder)
            .filter { $0 == "config.json" || $0.hasSuffix(".safetensors") }.sorted()
        var stamp = ""
        for name in names {
            let a = try fm.attributesOfItem(atPath: folder + "/" + name)
            stamp += "\(name):\((a[.size] as? NSNumber)?.intValue ?? -1):\((a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0);"
        }
        if let known = cache.withLock({ $0[folder] }), known.stamp == stamp { return known.digest }
        var d = ContentDigest()
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name), options: .alwaysMapped)
            d.update(name)
            data.withUnsafeBytes { d.update($0) }
        }
        let digest = d.hex
        cache.withLock { $0[folder] = (stamp, digest) }
        return digest
    }
}
