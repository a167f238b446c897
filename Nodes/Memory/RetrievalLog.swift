import Foundation
import FlowKit

/// The `log` file of memory.retriever: one `BlockRetrieval.jsonLine` per block, so evaluation scripts can
/// measure recall@k against the world's truth. Each line is written through at once (FileHandle does not
/// buffer), so the file holds every answered block even when the run stops on an error.
final class RetrievalLog {
    let path: String
    private var handle: FileHandle?

    init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw NodeError("memory.retriever log: cannot create '\(path)'")
        }
        handle = h
    }

    func write(_ record: BlockRetrieval) throws {
        guard let handle else { return }
        do { try handle.write(contentsOf: Data((record.jsonLine + "\n").utf8)) } catch {
            throw NodeError("memory.retriever log '\(path)': \(error)")
        }
    }

    /// Closes the file (every line is already written through); later writes are ignored. Safe to call twice.
    func close() throws {
        guard let h = handle else { return }
        handle = nil
        do { try h.close() } catch { throw NodeError("memory.retriever log '\(path)': \(error)") }
    }

    deinit { try? handle?.close() }
}
