import ArgumentParser
import FlowCore
import FlowReport
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Draw a run's timeline (from --trace FILE) as SVG: one lane per node, busy / blocked / waiting, prompt switches.")

    @Argument(help: "A trace written by `flowrun GRAPH --trace FILE`.") var trace: String
    @Option(name: .shortAndLong, help: ArgumentHelp("The SVG to write (default: the trace's name with .svg).", valueName: "file.svg"))
    var output: String?
    @Option(help: "Picture width in pixels.") var width = 1200

    func run() throws {
        let out = output ?? (trace.hasSuffix(".json") ? String(trace.dropLast(5)) : trace) + ".svg"
        do {
            let file = try TraceFile(json: Data(contentsOf: URL(fileURLWithPath: trace)))
            try TimelineSVG.render(file, width: width).write(toFile: out, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("flowrun: wrote \(out)\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("flowrun: error: cannot draw '\(trace)': \(error)\n".utf8))
            throw ExitStatus.badInput
        }
    }
}

/// `flowrun GRAPH --report FILE.svg`: the same picture straight from the run.
enum ReportSupport {
    static func write(run: GraphRun, to path: String) {
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("flowrun-trace-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: temp) }
        do {
            try run.writeTrace(to: temp)
            let file = try TraceFile(json: Data(contentsOf: URL(fileURLWithPath: temp)))
            try TimelineSVG.render(file).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("flowrun: error: cannot write report '\(path)': \(error)\n".utf8))
        }
    }
}
