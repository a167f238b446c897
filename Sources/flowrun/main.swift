import ArgumentParser
import Foundation
import FlowKit
import FlowCore

struct Flowrun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowrun",
        abstract: "Run streaming video-generation pipelines described as YAML graphs.",
        discussion: "flowrun GRAPH runs a graph; the other subcommands inspect graphs and nodes.",
        subcommands: [RunCommand.self, ValidateCommand.self, NodesCommand.self, DotCommand.self, PluginCommand.self, EmbedCommand.self,
                      ReportCommand.self],
        defaultSubcommand: RunCommand.self)
}

// OpenBLAS picks its kernel when it loads, before main; re-execute now if it picked the wrong one.
BLASRuntime.ensureBestKernel()
MallocArenas.apply()
MallocMmapThreshold.apply()

// Usage errors are bad input too: exit 2 with ArgumentParser's message, not its default 64.
do {
    var command = try Flowrun.parseAsRoot(ServeArgument.normalize(Array(CommandLine.arguments.dropFirst())))
    try command.run()
} catch let status as ExitStatus {
    exit(status.code)
} catch {
    let code = Flowrun.exitCode(for: error)
    if code == .success {
        Flowrun.exit(withError: error)
    }
    let message = Flowrun.fullMessage(for: error)
    FileHandle.standardError.write(Data((message.isEmpty ? "" : message + "\n").utf8))
    exit(code == .validationFailure ? 2 : code.rawValue)
}
