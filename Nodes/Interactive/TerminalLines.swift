#if canImport(Glibc)
import Glibc
#endif

/// Lines typed on standard input, read without blocking the graph's shutdown for long.
enum TerminalLines {
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    enum Read {
        case line(String)
        case nothingYet
        case endOfInput
    }

    /// Waits up to `timeoutMs` for a line.
    static func next(timeoutMs: Int32) -> Read {
        var fd = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        let ready = poll(&fd, 1, timeoutMs)
        guard ready > 0 else { return .nothingYet }
        guard let line = readLine(strippingNewline: true) else { return .endOfInput }
        return .line(line)
    }
}
