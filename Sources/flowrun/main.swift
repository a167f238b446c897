import ArgumentParser
import Foundation

struct Flowrun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowrun",
        abstract: "Run streaming video-generation pipelines described as YAML graphs.",
        discussion: "flowrun GRAPH runs a graph; the other subcommands inspect graphs and nodes.",
        subcommands: [RunCommand.self, ValidateCommand.self, NodesCommand.self, DotCommand.self],
        defaultSubcommand: RunCommand.self)
}

// Usage errors are bad input too: exit 2 with ArgumentParser's message, not its default 64.
do {
    var command = try Flowrun.parseAsRoot()
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
