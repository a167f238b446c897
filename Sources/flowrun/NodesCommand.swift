import ArgumentParser
import Foundation
import FlowKit
import FlowCore
import BuiltinNodes

struct NodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "List the node catalog, or show one node type's ports and params.")

    @Argument(help: "A node type, e.g. text.encoder.") var type: String?
    @Option(name: .customLong("plugin"), help: ArgumentHelp("Load a plugin library first.", valueName: "path")) var plugins: [String] = []

    func run() throws {
        BuiltinNodes.register()
        do {
            try PluginLoader.shared.loadConfiguredFolders()
            for p in plugins { try PluginLoader.shared.load(p) }
        } catch {
            FileHandle.standardError.write(Data("flowrun: error: \(error)\n".utf8))
            throw ExitStatus.badInput
        }
        let all = NodeRegistry.shared.all
        guard let type else {
            let width = (all.map(\.contract.type.count).max() ?? 10) + 2
            for r in all {
                let origin = r.origin == "built-in" ? "" : "  [\(r.origin)]"
                print(r.contract.type.padding(toLength: width, withPad: " ", startingAt: 0) + r.contract.summary + origin)
            }
            return
        }
        guard let r = NodeRegistry.shared.lookup(type) else {
            let hint = NodeCatalog.suggestion(for: type, in: NodeRegistry.shared.typeNames)
            FileHandle.standardError.write(Data("flowrun: error: unknown node type '\(type)'\(hint)\n".utf8))
            throw ExitStatus.badInput
        }
        print(NodeCatalog.describe(r), terminator: "")
    }
}
