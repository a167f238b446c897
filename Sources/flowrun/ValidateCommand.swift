import ArgumentParser
import Foundation
import FlowCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a graph file and report every problem with file:line:col; run nothing.")

    @Argument(help: "The graph file.") var graph: String
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a graph param.", valueName: "key=value")) var overrides: [String] = []
    @Option(name: .customLong("plugin"), help: ArgumentHelp("Load a plugin library first.", valueName: "path")) var plugins: [String] = []

    func run() throws {
        let (graph, _) = try GraphLoading.compile(self.graph, overrides: overrides, plugins: plugins)
        print("\(graph.file): ok: \(graph.nodes.count) nodes, \(graph.edges.count) edges")
    }
}

struct DotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dot",
        abstract: "Print the compiled graph in Graphviz format (pipe it to `dot -Tsvg`).")

    @Argument(help: "The graph file.") var graph: String
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a graph param.", valueName: "key=value")) var overrides: [String] = []
    @Option(name: .customLong("plugin"), help: ArgumentHelp("Load a plugin library first.", valueName: "path")) var plugins: [String] = []

    func run() throws {
        let (graph, _) = try GraphLoading.compile(self.graph, overrides: overrides, plugins: plugins)
        print(GraphvizExport.dot(graph), terminator: "")
    }
}
