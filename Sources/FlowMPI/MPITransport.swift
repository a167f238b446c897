import CMPI
import FlowCore
import Foundation

/// The messages between ranks, carried by Open MPI. One thread of its own initializes MPI, makes every MPI call
/// and finalizes it (MPI_THREAD_FUNNELED); nodes' threads only queue messages for it, and it hands arriving
/// messages to the receiver. A message is a header (tag 1; its first byte says whether a payload follows) and,
/// for a packet with tensors, the payload (tag 2), sent straight from the buffer the encoder filled.
public final class MPITransport: RankTransport, @unchecked Sendable {
    public private(set) var rank = 0
    public private(set) var size = 1

    private let state = NSCondition()
    private var outbox: [(WireMessage, Int)] = []
    private var receiver: (@Sendable (WireMessage, Int) -> Void)?
    private var stopRequested = false
    private var stopped = false
    private var thread: Thread?
    private var startProblem: String?
    private static let headerTag: Int32 = 1
    private static let payloadTag: Int32 = 2

    /// Under mpirun (Open MPI sets OMPI_COMM_WORLD_SIZE in each rank's environment) starts MPI; nil otherwise,
    /// and the graph runs in this one process as without MPI.
    public static func startIfLaunched() throws -> MPITransport? {
        guard ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil else { return nil }
        return try MPITransport()
    }

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    private init() throws {
        let ready = DispatchSemaphore(value: 0)
        let t = Thread { [unowned self] in
            let problem = self.initialize()
            state.withLock { startProblem = problem }
            ready.signal()
            if problem == nil { self.serve() }
        }
        t.name = "flowrun.mpi"
        thread = t
        t.start()
        ready.wait()
        if let problem = state.withLock({ startProblem }) { throw StartError(description: problem) }
    }

    public func setReceiver(_ receive: @escaping @Sendable (WireMessage, Int) -> Void) {
        state.withLock { receiver = receive }
    }

    public func send(_ message: WireMessage, to rank: Int) {
        state.withLock { outbox.append((message, rank)) }
    }

    /// Sends what is queued, then finalizes MPI and ends the MPI thread; returns when it has.
    public func finish() {
        state.withLock {
            stopRequested = true
            while !stopped { state.wait() }
        }
    }

    // MARK: The MPI thread

    private func initialize() -> String? {
        var provided: Int32 = 0
        guard MPI_Init_thread(nil, nil, cmpi_thread_funneled(), &provided) == cmpi_success() else { return "MPI_Init_thread failed" }
        guard provided >= cmpi_thread_funneled() else { return "this MPI gives thread level \(provided); flowrun needs MPI_THREAD_FUNNELED" }
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &r)
        MPI_Comm_size(cmpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
        return nil
    }

    /// A send in flight, and the buffers MPI reads from until it completes.
    private struct InFlight {
        var request: MPI_Request?
        var buffer: ByteBuffer
    }

    private func serve() {
        var inFlight: [InFlight] = []
        var idle: UInt32 = 0
        while true {
            let (batch, stopping): ([(WireMessage, Int)], Bool) = state.withLock {
                defer { outbox.removeAll(keepingCapacity: true) }
                return (outbox, stopRequested)
            }
            var busy = !batch.isEmpty
            for (message, peer) in batch { inFlight += post(message, to: peer) }
            inFlight.removeAll { f in
                var request = f.request
                var done: Int32 = 0
                MPI_Test(&request, &done, cmpi_status_ignore())
                return done != 0
            }
            while receiveOne() { busy = true }
            if stopping && inFlight.isEmpty && state.withLock({ outbox.isEmpty }) { break }
            // Poll quickly while messages flow, back off to a quarter millisecond when nothing does.
            idle = busy ? 0 : min(max(idle * 2, 16), 250)
            if idle > 0 { usleep(idle) }
        }
        MPI_Finalize()
        state.withLock {
            stopped = true
            state.broadcast()
        }
    }

    private func post(_ message: WireMessage, to peer: Int) -> [InFlight] {
        let header = ByteBuffer(count: message.header.count + 1)
        header.bytes.storeBytes(of: message.payload == nil ? 0 : 1, as: UInt8.self)
        message.header.withUnsafeBytes { (header.bytes + 1).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        var posted = [isend(header, to: peer, tag: MPITransport.headerTag)]
        if let payload = message.payload { posted.append(isend(payload, to: peer, tag: MPITransport.payloadTag)) }
        return posted
    }

    private func isend(_ buffer: ByteBuffer, to peer: Int, tag: Int32) -> InFlight {
        precondition(buffer.count <= Int(Int32.max), "a message over 2 GiB cannot cross ranks")
        var request: MPI_Request? = cmpi_request_null()
        MPI_Isend(buffer.bytes, Int32(buffer.count), cmpi_byte(), Int32(peer), tag, cmpi_comm_world(), &request)
        return InFlight(request: request, buffer: buffer)
    }

    /// Takes one waiting message, if any, with its payload; returns whether there was one.
    private func receiveOne() -> Bool {
        var flag: Int32 = 0
        var status = MPI_Status()
        MPI_Iprobe(cmpi_any_source(), MPITransport.headerTag, cmpi_comm_world(), &flag, &status)
        guard flag != 0 else { return false }
        let source = status.MPI_SOURCE
        var count: Int32 = 0
        MPI_Get_count(&status, cmpi_byte(), &count)
        var frame = [UInt8](repeating: 0, count: Int(count))
        _ = frame.withUnsafeMutableBytes { MPI_Recv($0.baseAddress, count, cmpi_byte(), source, MPITransport.headerTag, cmpi_comm_world(), cmpi_status_ignore()) }
        var payload: ByteBuffer?
        if frame.first == 1 {
            // Messages from one rank keep their order, so the next payload from `source` is this header's.
            MPI_Probe(source, MPITransport.payloadTag, cmpi_comm_world(), &status)
            var n: Int32 = 0
            MPI_Get_count(&status, cmpi_byte(), &n)
            let buffer = ByteBuffer(count: Int(n))
            MPI_Recv(buffer.bytes, n, cmpi_byte(), source, MPITransport.payloadTag, cmpi_comm_world(), cmpi_status_ignore())
            payload = buffer
        }
        let deliver = state.withLock { receiver }
        deliver?(WireMessage(header: Array(frame.dropFirst()), payload: payload), Int(source))
        return true
    }
}
