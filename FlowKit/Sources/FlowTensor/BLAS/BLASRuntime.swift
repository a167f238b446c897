import COpenBLAS
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Which OpenBLAS kernel runs, and how many threads it uses.
///
/// OpenBLAS (DYNAMIC_ARCH builds such as Debian's) picks its kernel from OPENBLAS_CORETYPE while
/// the library loads, before `main`, and it cannot be changed after load. On virtual machines that
/// hide the CPU model its own detection can fall back badly (Prescott, an SSE3 kernel, on the
/// development machine: ~5x slower than SkylakeX), and an environment that forces Haswell halves
/// sgemm speed on AVX-512 CPUs. So a program's `main` calls `ensureBestKernel(arguments:)` first:
/// if the loaded kernel is not the one wanted, the process re-executes itself with
/// OPENBLAS_CORETYPE set. Call it before printing anything (execv drops unflushed output).
public enum BLASRuntime {
    /// Environment variable for an explicit kernel choice ("SkylakeX", "Haswell", "auto", "keep").
    public static let kernelEnvironmentVariable = "FLOWRUN_BLAS_KERNEL"
    /// Command-line flag for an explicit kernel choice: `--blas-kernel NAME` or `--blas-kernel=NAME`.
    public static let kernelFlag = "--blas-kernel"
    /// Set on the re-executed process so it never re-executes again (loop guard).
    static let reexecMarker = "FLOWRUN_BLAS_REEXECUTED"

    /// What `ensureBestKernel` decided, for reports.
    public enum Outcome: Sendable, Equatable {
        /// The loaded kernel was already the wanted one (or nothing was wanted).
        case alreadyLoaded(String)
        /// This process is the re-executed one and now runs the wanted kernel.
        case reexecuted(String)
        /// We wanted a kernel but could not get it (re-exec failed or OpenBLAS ignored it).
        case unavailable(wanted: String, loaded: String)
    }

    /// Kernel wanted by flag, then environment, then CPU detection; nil means keep what loaded.
    public static func wantedKernel(arguments: [String], environment: [String: String]) -> String? {
        var explicit: String?
        var i = 1
        while i < arguments.count {
            let arg = arguments[i]
            if arg == kernelFlag, i + 1 < arguments.count { explicit = arguments[i + 1]; i += 1 }
            else if arg.hasPrefix(kernelFlag + "=") { explicit = String(arg.dropFirst(kernelFlag.count + 1)) }
            i += 1
        }
        let choice = explicit ?? environment[kernelEnvironmentVariable] ?? "auto"
        switch choice.lowercased() {
        case "auto", "": return CPUFeatures.current().bestOpenBLASCore
        case "keep", "none", "default": return nil
        default: return choice
        }
    }

    /// Makes sure the loaded OpenBLAS kernel is the best (or the explicitly chosen) one, re-executing
    /// `/proc/self/exe` with the same argv and OPENBLAS_CORETYPE set when it is not. Call it first in
    /// `main`, before threads start. Returns only in the process that will do the work.
    @discardableResult
    public static func ensureBestKernel(arguments: [String] = CommandLine.arguments) -> Outcome {
        let environment = currentEnvironment()
        let loaded = coreName
        let cameFromReexec = environment[reexecMarker] != nil
        // Clear the marker so programs we start get their own chance to pick a kernel.
        if cameFromReexec { unsetenv(reexecMarker) }
        guard let wanted = wantedKernel(arguments: arguments, environment: environment) else {
            return record(.alreadyLoaded(loaded))
        }
        if sameCore(loaded, wanted) { return record(cameFromReexec ? .reexecuted(loaded) : .alreadyLoaded(loaded)) }
        if cameFromReexec { return record(.unavailable(wanted: wanted, loaded: loaded)) }

        setenv("OPENBLAS_CORETYPE", wanted, 1)
        setenv(reexecMarker, "1", 1)
        reexecute()
        // execv returned: it failed. Carry on with the loaded kernel.
        unsetenv(reexecMarker)
        return record(.unavailable(wanted: wanted, loaded: loaded))
    }

    /// The kernel OpenBLAS loaded, e.g. "SkylakeX" or "Haswell".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build configuration string.
    public static var config: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text)
    }

    /// Threads OpenBLAS uses for one call.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets OpenBLAS's thread budget (the scheduler gives each compute node one).
    public static func setThreads(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }

    /// One line for `--stats` and benchmarks: kernel, how it was chosen, threads, build.
    public static var description: String {
        let how: String
        switch lastOutcome.withLock({ $0 }) {
        case .none: how = "not checked"
        case .alreadyLoaded?: how = "selected at load"
        case .reexecuted?: how = "selected by re-exec"
        case .unavailable(let wanted, _)?: how = "wanted \(wanted), unavailable"
        }
        return "OpenBLAS kernel \(coreName) (\(how)), \(threads) threads, \(config)"
    }

    // MARK: - Internals

    /// Written once at startup, read by reports from any thread.
    private static let lastOutcome = Mutex<Outcome?>(nil)

    private static func record(_ outcome: Outcome) -> Outcome {
        lastOutcome.withLock { $0 = outcome }
        return outcome
    }

    static func sameCore(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }

    private static func currentEnvironment() -> [String: String] {
        var result = [String: String]()
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            p += 1
        }
        return result
    }

    /// execv of the running binary with the original argv (the new environment is inherited).
    private static func reexecute() {
        let argv = CommandLine.unsafeArgv
        _ = execv("/proc/self/exe", argv)
    }
}
