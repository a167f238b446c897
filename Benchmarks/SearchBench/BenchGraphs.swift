import Foundation
import FlowCore

/// Compiles the benchmark's graphs from a temporary copy of Graphs/ with a frame clock appended, so the
/// project's graph files stay untouched and the measured graph is otherwise exactly the shipped one.
struct BenchGraphs {
    let directory: URL
    let model: String

    init(repoRoot: String, model: String) throws {
        // A copy moves the graph away from Models/: a relative model path is taken from the working directory.
        self.model = model.hasPrefix("/") ? model : repoRoot + "/" + model
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("search-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The includes (lib/*.yaml) are resolved relative to the including file, so they travel too.
        try FileManager.default.copyItem(atPath: repoRoot + "/Graphs/lib", toPath: directory.appendingPathComponent("lib").path)
        // The clock listens to the include output that carries the video, beside the video encoder.
        for (file, output) in Configuration.framesOutputs {
            let variant = Configuration.variants[file]
            var text = try String(contentsOfFile: repoRoot + "/Graphs/" + (variant?.from ?? file), encoding: .utf8)
            if let variant {
                guard text.contains(variant.replacing) else { fatalError("Graphs/\(variant.from) has no '\(variant.replacing)'") }
                text = text.replacingOccurrences(of: variant.replacing, with: variant.with)
            }
            if !text.hasSuffix("\n") { text += "\n" }
            text += "  clock: { type: \(FrameClock.contract.type), inputs: { frames: \(output) } }\n"
            try text.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
    }

    /// The graph of `configuration` for one run; the video goes to the temporary folder (overwritten each run).
    func compile(_ configuration: Configuration, frames: Int, prompt: String) -> CompiledGraph {
        let out = directory.appendingPathComponent("out-\(configuration.graphFile).mp4").path
        let overrides = ["model=\(model)", "frames=\(frames)", "prompt=\(prompt)", "seed=0", "out=\(out)"] + configuration.overrides
        let result = GraphCompiler().compile(file: directory.appendingPathComponent(configuration.graphFile).path, overrides: overrides)
        guard let graph = result.graph else { fatalError(result.renderer.render(result.diagnostics)) }
        return graph
    }

    func removeFiles() { try? FileManager.default.removeItem(at: directory) }
}
