import ArgumentParser
import Foundation
import FlowKit

struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Work with node plugins.",
        subcommands: [PluginNewCommand.self])
}

struct PluginNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a plugin package with one node and its test, ready to build.")

    @Argument(help: "The plugin's name, e.g. Sharpen (a Swift identifier).") var name: String
    @Option(help: ArgumentHelp("Folder to create the package in.", valueName: "dir")) var path: String = "."
    @Option(help: ArgumentHelp("FlowKit package to depend on (default: this flowrun's).", valueName: "dir")) var flowkit: String?

    func run() throws {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII,
              name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }) else {
            FileHandle.standardError.write(Data("flowrun: error: plugin name '\(name)' must be a Swift identifier (letters, digits, _; starting with a letter)\n".utf8))
            throw ExitStatus.badInput
        }
        let flowKitPath = flowkit ?? PluginTemplate.defaultFlowKitPath
        guard FileManager.default.fileExists(atPath: (flowKitPath as NSString).appendingPathComponent("Package.swift")) else {
            FileHandle.standardError.write(Data("flowrun: error: no FlowKit package at '\(flowKitPath)'; pass --flowkit DIR (the FlowKit folder of your flowrun checkout)\n".utf8))
            throw ExitStatus.badInput
        }
        let root = URL(fileURLWithPath: path).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: root.path) {
            FileHandle.standardError.write(Data("flowrun: error: '\(root.path)' already exists; choose another name or --path\n".utf8))
            throw ExitStatus.badInput
        }
        for (file, text) in PluginTemplate.files(name: name, flowKitPath: URL(fileURLWithPath: flowKitPath).standardizedFileURL.path) {
            let url = root.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        print("""
        created \(root.path)
        build:  cd \(root.path) && swift build -c release
        test:   swift test
        use:    flowrun --plugin \(root.path)/.build/release/lib\(name).so \(root.path)/example.yaml
        """)
    }
}
