import Foundation
import FlowKit

/// What a snapshot must agree on with the graph that resumes it: the graph's name, its nodes (id, type,
/// params), its edges and the content of its models. Params a node declares free on resume (such as the
/// frames to reach) and path params are left out; a path param that names a folder (a model) is compared
/// by its files' digest instead, so moving the model elsewhere is fine and retraining it is not.
enum GraphIdentity {
    static func of(_ graph: CompiledGraph) throws -> SessionSnapshot.Identity {
        var nodes: [SessionSnapshot.NodeIdentity] = []
        var models: [SessionSnapshot.ModelFingerprint] = []
        for c in graph.nodes {
            let free = (c.registration.nodeType as? any SnapshotState.Type)?.paramsFreeOnResume ?? []
            var params: [String] = []
            for spec in c.contract.params {
                guard let value = c.params[spec.name], !free.contains(spec.name) else { continue }
                if spec.type == .path {
                    let path = c.params.path(spec.name)
                    var isDirectory: ObjCBool = false
                    if !value.description.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                        models.append(.init(node: c.id, param: spec.name, path: value.description,
                                            digest: try ModelFingerprints.digest(folder: path)))
                    }
                    continue
                }
                params.append("\(spec.name)=\(value)")
            }
            nodes.append(.init(id: c.id, type: c.contract.type, params: params))
        }
        let edges = graph.edges.map { e in
            "\(graph.nodes[e.from].id).\(e.fromPort) -> \(graph.nodes[e.to].id).\(e.toPort)\(e.feedback ? " (feedback)" : "")"
        }.sorted()
        return .init(graphName: graph.name, nodes: nodes, edges: edges, models: models)
    }

    /// Every difference, one line each, saying what the snapshot has and what this graph has.
    static func differences(snapshot s: SessionSnapshot.Identity, current c: SessionSnapshot.Identity) -> [String] {
        var lines: [String] = []
        if s.graphName != c.graphName { lines.append("graph: '\(s.graphName)' in the snapshot, '\(c.graphName)' now") }
        let before = Dictionary(s.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let now = Dictionary(c.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for n in s.nodes where now[n.id] == nil { lines.append("node '\(n.id)' (\(n.type)): only in the snapshot") }
        for n in c.nodes where before[n.id] == nil { lines.append("node '\(n.id)' (\(n.type)): not in the snapshot") }
        for n in c.nodes {
            guard let old = before[n.id] else { continue }
            if old.type != n.type {
                lines.append("node '\(n.id)': type \(old.type) in the snapshot, \(n.type) now")
                continue
            }
            let a = Self.values(old.params), b = Self.values(n.params)
            for key in Set(a.keys).union(b.keys).sorted() where a[key] != b[key] {
                lines.append("node '\(n.id)' (\(n.type)): \(key) is \(a[key] ?? "(unset)") in the snapshot, \(b[key] ?? "(unset)") now")
            }
        }
        let edgesBefore = Set(s.edges), edgesNow = Set(c.edges)
        for e in s.edges where !edgesNow.contains(e) { lines.append("edge \(e): only in the snapshot") }
        for e in c.edges where !edgesBefore.contains(e) { lines.append("edge \(e): not in the snapshot") }
        for m in c.models {
            guard let old = s.models.first(where: { $0.node == m.node && $0.param == m.param }) else {
                lines.append("node '\(m.node)': \(m.param) \(m.path) has no fingerprint in the snapshot")
                continue
            }
            if old.digest != m.digest {
                lines.append("node '\(m.node)': \(m.param) differs: \(old.path) (digest \(old.digest)) in the snapshot, \(m.path) (digest \(m.digest)) now")
            }
        }
        for m in s.models where !c.models.contains(where: { $0.node == m.node && $0.param == m.param }) {
            lines.append("node '\(m.node)': \(m.param) \(m.path) in the snapshot, no such folder now")
        }
        return lines
    }

    private static func values(_ params: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for p in params {
            guard let eq = p.firstIndex(of: "=") else { out[p] = ""; continue }
            out[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        return out
    }
}
