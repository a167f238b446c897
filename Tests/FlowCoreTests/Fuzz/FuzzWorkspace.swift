import Foundation
import FlowCore

/// A scratch copy of Graphs/ (with lib/) and of the bad-graph corpus, with Models/ and Tests/ linked
/// beside it so the graphs' relative paths still lead somewhere. Each case is written into it before it
/// is compiled, so a crash leaves the case behind.
final class FuzzWorkspace {
    struct Seed {
        var name: String
        var bytes: [UInt8]
        /// The parsed document, for structure mutations; nil when the seed is not YAML at all.
        var tree: FuzzTree?
        var params: [String]
    }

    let root: URL
    let graphs: URL
    /// The shipped graphs (Graphs/ and Graphs/lib/), then the bad-graph corpus.
    private(set) var seeds: [Seed] = []
    private(set) var shippedCount = 0
    /// Subgraphs in lib/, with the seeds that include them.
    private(set) var includes: [(path: String, seed: Seed, includers: [Seed])] = []

    var caseFile: URL { graphs.appendingPathComponent("fuzz-case.yaml") }
    var caseNotes: URL { root.appendingPathComponent("case.txt") }

    init(repo: URL, corpus: URL) throws {
        let fm = FileManager.default
        root = fm.temporaryDirectory.appendingPathComponent("graph-fuzz-\(UUID().uuidString)")
        graphs = root.appendingPathComponent("Graphs")
        try fm.createDirectory(at: graphs.appendingPathComponent("lib"), withIntermediateDirectories: true)
        for link in ["Models", "Tests"] {
            try fm.createSymbolicLink(at: root.appendingPathComponent(link), withDestinationURL: repo.appendingPathComponent(link))
        }
        var libs: [Seed] = []
        for folder in [repo.appendingPathComponent("Graphs"), repo.appendingPathComponent("Graphs/lib"), corpus] {
            let inLib = folder.lastPathComponent == "lib"
            for name in try fm.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".yaml") {
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                let relative = inLib ? "lib/" + name : name
                try data.write(to: graphs.appendingPathComponent(relative))
                let seed = FuzzWorkspace.seed(relative, [UInt8](data))
                seeds.append(seed)
                if inLib { libs.append(seed) }
            }
            if folder != corpus { shippedCount = seeds.count }
        }
        includes = libs.map { lib in (lib.name, lib, seeds.filter { String(decoding: $0.bytes, as: UTF8.self).contains("include: " + lib.name) }) }
    }

    static func seed(_ name: String, _ bytes: [UInt8]) -> Seed {
        let node = try? YAMLReader().parse(String(decoding: bytes, as: UTF8.self), file: name)
        let params = node?["params"]?.pairs?.map(\.key) ?? []
        return Seed(name: name, bytes: bytes, tree: node.map(FuzzTree.init), params: params)
    }

    /// Writes the case: its root file, and the mutated subgraph when it mutates one.
    func write(_ c: FuzzCase) throws {
        try Data(c.describe().utf8).write(to: caseNotes)
        try Data(c.rootBytes).write(to: caseFile)
        if let include = c.include { try Data(include.bytes).write(to: graphs.appendingPathComponent(include.path)) }
    }

    /// Puts back the subgraph a case mutated.
    func restore(_ c: FuzzCase) throws {
        guard let include = c.include, let original = includes.first(where: { $0.path == include.path }) else { return }
        try Data(original.seed.bytes).write(to: graphs.appendingPathComponent(include.path))
    }

    /// Keeps a failing case's files under findings/, for a corpus file to be made from it.
    func keep(_ c: FuzzCase) -> URL {
        let dir = root.appendingPathComponent("findings/case-\(c.index)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? Data(c.rootBytes).write(to: dir.appendingPathComponent("fuzz-case.yaml"))
        try? Data(c.describe().utf8).write(to: dir.appendingPathComponent("case.txt"))
        if let include = c.include { try? Data(include.bytes).write(to: dir.appendingPathComponent(include.path.replacingOccurrences(of: "/", with: "_"))) }
        return dir
    }
}
