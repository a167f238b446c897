import Foundation
import XCTest
@_exported import FlowTestSupport

/// Runs the built `flowrun` under mpirun (or alone) and collects what it printed. The MPI tests skip, saying so,
/// on a machine without Open MPI; CI installs it (scripts/setup) and runs them.
enum MPIHarness {
    struct Output { var status: Int32; var stdout: String; var stderr: String }

    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static var repo: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    /// The built `flowrun` executable, next to the test bundle.
    static var flowrun: URL {
        // The test bundle's folder (Linux: Bundle.main is the test executable's folder), or one above it.
        var dir = Bundle(for: Marker.self).bundleURL
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: dir.appendingPathComponent("flowrun").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("flowrun")
    }
    private final class Marker {}

    static func requireFlowrun() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: flowrun.path), "build flowrun first (swift build); scripts/test does")
    }

    static func requireMPI() throws {
        try requireFlowrun()
        try XCTSkipIf(mpirun == nil, "mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev, or scripts/setup); the MPI tests need it")
    }

    /// mpirun's flags here: several ranks on a machine with fewer cores, and root in containers and CI.
    static func mpirunArguments(ranks: Int) -> [String] {
        var args = ["--oversubscribe", "-np", String(ranks)]
        if getuid() == 0 { args.insert("--allow-run-as-root", at: 0) }
        return args
    }

    /// `flowrun ARGS` under `mpirun -np ranks`, or alone when `ranks` is nil. `interruptAfter`: SIGINT to the
    /// launched process (mpirun) once that many seconds have passed.
    static func run(ranks: Int?, _ args: [String], interruptAfter: TimeInterval? = nil, mpirunOptions: [String] = []) throws -> Output {
        let p = Process()
        if let ranks {
            p.executableURL = URL(fileURLWithPath: mpirun!)
            p.arguments = mpirunArguments(ranks: ranks) + mpirunOptions + [flowrun.path] + args
        } else {
            p.executableURL = flowrun
            p.arguments = args
        }
        p.currentDirectoryURL = repo
        // Containers often forbid the cross-memory attach Open MPI's shared-memory transport uses for large messages
        // (it then fails with "Read -1, expected ..."); copying through the shared segment works everywhere.
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = environment["OMPI_MCA_btl_vader_single_copy_mechanism"] ?? "none"
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let pid = p.processIdentifier
        if let interruptAfter {
            DispatchQueue.global().asyncAfter(deadline: .now() + interruptAfter) { kill(pid, SIGINT) }
        }
        // A run that hangs must fail the test, not the whole suite.
        DispatchQueue.global().asyncAfter(deadline: .now() + 600) { if p.isRunning { kill(pid, SIGKILL) } }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// The video's frames as raw RGB24, decoded by ffmpeg.
    static func decodedFrames(_ path: String) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        p.arguments = ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "ffmpeg could not decode \(path)")
        return data
    }

    static func graph(_ text: String, in folder: TemporaryFolder, name: String = "graph.yaml") throws -> String {
        let path = folder.file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
