import FlowKit

/// A session snapshot refused because it was made by another graph or model.
public struct SnapshotMismatch: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var differences: [String]
    public var description: String {
        "cannot resume from \(file): it was made by a different graph or model:\n" + differences.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// Session snapshots (`--snapshot FILE`, `--resume FILE`): the runtime collects every node's state once the
/// run has ended, and restores it into a new run's nodes after they are created and before they start.
extension GraphRun {
    /// Nodes whose type cannot carry its state in a snapshot: a graph with any cannot be snapshotted.
    public var nodesWithoutSnapshotState: [CompiledNode] {
        graph.nodes.filter { !($0.registration.nodeType is any SnapshotState.Type) }
    }

    /// Every node's state, after `run()` returned (so no node is working). A node that cannot save what it
    /// holds fails with its id and graph line.
    public func captureSnapshot() throws -> SessionSnapshot {
        if let c = nodesWithoutSnapshotState.first { throw unsupported(c) }
        // A second Ctrl-C makes blocked emits give up mid-block: one node may count a block its neighbour never
        // received, and a resume from such states would go wrong without a word.
        guard !isTornDown else {
            throw NodeError("the run was stopped without draining (a second Ctrl-C), so its nodes' states may disagree; no snapshot was written (interrupt once to keep one)")
        }
        var entries: [SessionSnapshot.Entry] = []
        for r in runners {
            let node = r.node as! any SnapshotState
            do {
                entries.append(.init(id: r.compiled.id, type: r.compiled.contract.type, state: try node.saveState()))
            } catch {
                throw failure(r.compiled, "cannot save its state for the snapshot: \(error)")
            }
        }
        let frames = entries.compactMap(\.state.framesDone).min()
        return SessionSnapshot(writer: "flowrun (FlowKit \(FlowKitABI.version))", graphFile: graph.file,
                               identity: try GraphIdentity.of(graph), framesDone: frames, nodes: entries)
    }

    /// Hands each node its saved state. Refuses a snapshot of another graph or model (`SnapshotMismatch`,
    /// naming every difference); a node that rejects its state fails with its id and graph line.
    public func restore(_ snapshot: SessionSnapshot, file: String) throws {
        if let c = nodesWithoutSnapshotState.first { throw unsupported(c) }
        let differences = GraphIdentity.differences(snapshot: snapshot.identity, current: try GraphIdentity.of(graph))
        guard differences.isEmpty else { throw SnapshotMismatch(file: file, differences: differences) }
        for r in runners {
            guard let entry = snapshot.nodes.first(where: { $0.id == r.compiled.id }) else {
                throw failure(r.compiled, "\(file) holds no state for this node")
            }
            guard entry.type == r.compiled.contract.type else {
                throw failure(r.compiled, "\(file) holds state of a \(entry.type) for this node")
            }
            do { try (r.node as! any SnapshotState).restoreState(entry.state) } catch {
                throw failure(r.compiled, "cannot resume from \(file): \(error)")
            }
        }
    }

    private func unsupported(_ c: CompiledNode) -> RunFailure {
        failure(c, "\(c.contract.type) cannot save its state, so this graph cannot be snapshotted or resumed")
    }

    private func failure(_ c: CompiledNode, _ message: String) -> RunFailure {
        RunFailure(nodeId: c.id, nodeType: c.contract.type, location: c.location, message: message, origin: c.registration.origin)
    }
}
