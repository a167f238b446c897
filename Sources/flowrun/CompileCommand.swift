import Foundation
import FlowCore
import FlowKit
import BuiltinNodes

/// Shared by the commands that read a graph: resolve the path, compile, print every diagnostic.
enum GraphLoading {
    static func compile(_ path: String, overrides: [String], plugins: [String]) throws -> (CompiledGraph, DiagnosticRenderer) {
        BuiltinNodes.register()
        let loader = PluginLoader.shared
        do { try loader.loadConfiguredFolders() } catch {
            FileHandle.standardError.write(Data("flowrun: error: \(error)\n".utf8))
            throw ExitStatus.badInput
        }
        for p in plugins {
            do { try loader.load(p) } catch {
                FileHandle.standardError.write(Data("flowrun: error: \(error)\n".utf8))
                throw ExitStatus.badInput
            }
        }
        let file = GraphPath.resolve(path) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let compiler = GraphCompiler(loadPlugin: { try loader.load($0) })
        let result = compiler.compile(file: file, overrides: overrides)
        let renderer = result.renderer
        // Under mpirun every rank compiles the graph; rank 0 alone prints what the compiler found.
        let quietRank = (ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"].flatMap(Int.init) ?? 0) != 0
        if !result.diagnostics.isEmpty && !quietRank {
            FileHandle.standardError.write(Data((renderer.render(result.diagnostics) + "\n").utf8))
        }
        guard let graph = result.graph else {
            let n = result.errors.count
            if quietRank { throw ExitStatus.badInput }
            FileHandle.standardError.write(Data("\(n) error\(n == 1 ? "" : "s") in \(file)\n".utf8))
            throw ExitStatus.badInput
        }
        return (graph, renderer)
    }
}

/// Exit statuses with a meaning: 2 for bad input, 1 for a run that failed, 130 for SIGINT.
enum ExitStatus: Error {
    case badInput
    case failed
    case interrupted

    var code: Int32 {
        switch self {
        case .badInput: return 2
        case .failed: return 1
        case .interrupted: return 130
        }
    }
}
