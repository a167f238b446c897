import Foundation
import FlowCore

/// `--snapshot FILE` and `--resume FILE`: a session saved when the run ends (completed, failed or
/// interrupted) and continued by a later run of the same graph and model.
enum SnapshotSupport {
    /// Before the run: a graph with a node that cannot save its state is refused up front (not after an hour
    /// of generation); a resumed run gets its nodes' state, or is refused with what differs.
    static func prepare(_ run: GraphRun, snapshot: String?, resume: String?) throws {
        guard snapshot != nil || resume != nil else { return }
        if let c = run.nodesWithoutSnapshotState.first {
            let flag = resume != nil ? "--resume" : "--snapshot"
            fail("\(c.location): error: \(flag): node '\(c.id)' (\(c.contract.type)) cannot save its state, so this graph cannot be snapshotted or resumed")
            throw ExitStatus.badInput
        }
        guard let resume else { return }
        let saved: SessionSnapshot
        do { saved = try SnapshotDecoding.read(resume) } catch {
            fail("flowrun: error: --resume: \(error)")
            throw ExitStatus.badInput
        }
        do { try run.restore(saved, file: resume) } catch {
            fail(error is SnapshotMismatch ? "flowrun: error: --resume: \(error)" : "\(error)")
            throw ExitStatus.badInput
        }
        let frames = saved.framesDone.map { "\($0) frames done" } ?? "no frames counted"
        fail("flowrun: resuming \(run.graph.name) from \(resume) (\(frames))")
    }

    /// After the run; false when the snapshot could not be written (the error is printed).
    static func save(_ run: GraphRun, to path: String?, outcome: RunOutcome) -> Bool {
        guard let path else { return true }
        do {
            let snapshot = try run.captureSnapshot()
            let bytes = try SnapshotEncoding.write(snapshot, to: path)
            let frames = snapshot.framesDone.map { "\($0) frames" } ?? "no frames counted"
            fail(String(format: "flowrun: snapshot (%@) written to %@ (%.1f MiB); continue with --resume %@", frames, path,
                        Double(bytes) / 1_048_576, path))
            return true
        } catch {
            fail("flowrun: error: --snapshot: \(error)")
            return false
        }
    }

    private static func fail(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
