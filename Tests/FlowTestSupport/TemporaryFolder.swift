import Foundation
import XCTest
import Synchronization

/// A fresh folder under the system temporary directory, removed with everything in it when the
/// last reference goes away.
public final class TemporaryFolder: Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(prefix: String = "flowrun-tests") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` inside the folder (not created).
    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }
}

extension XCTestCase {
    /// A temporary folder kept until this test has torn down, then removed.
    public func makeTemporaryFolder(prefix: String = "flowrun-tests") throws -> TemporaryFolder {
        let folder = try TemporaryFolder(prefix: prefix)
        addTeardownBlock { withExtendedLifetime(folder) {} }
        return folder
    }
}

extension TemporaryFolder {
    /// A folder for helpers that have no test to tie it to (a graph written from a string): it lives
    /// until the test process exits, then is removed.
    public static func untilExit(prefix: String = "flowrun-tests") -> URL {
        let folder = try! TemporaryFolder(prefix: prefix)
        ExitCleanup.keep(folder)
        return folder.url
    }
}

/// Holds folders until exit; dropping them at exit runs their deinit.
private enum ExitCleanup {
    private static let folders = Mutex<[TemporaryFolder]>([])
    private static let registered: Void = { atexit { ExitCleanup.releaseAll() } }()

    static func keep(_ folder: TemporaryFolder) {
        _ = registered
        folders.withLock { $0.append(folder) }
    }

    static func releaseAll() { folders.withLock { $0.removeAll() } }
}
