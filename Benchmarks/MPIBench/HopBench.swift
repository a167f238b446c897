import Foundation
import FlowCore
import FlowKit
import FlowMPI

/// `mpirun -np 2 MPIBench hop`: one hop between two ranks through flowrun's own path - a LatentBlock encoded
/// (protobuf-c header, raw tensor), queued to the MPI thread, sent, received by the other rank's MPI thread and
/// decoded. Latency: half the median round trip of a ping-pong. Throughput: a one-way stream with a window of
/// credits, as a cross-rank edge of that capacity sends.
enum HopBench {
    static func run() throws {
        guard let transport = try MPITransport.startIfLaunched() else {
            print("hop: run under mpirun -np 2")
            exit(2)
        }
        let inbox = Inbox()
        transport.setReceiver { message, _ in inbox.put(message) }
        let peer = 1 - transport.rank
        for (label, floats, pings, stream) in [("100 KB", 25_600, 400, 2_000), ("4 MB", 1_048_576, 40, 150)] {
            let block = LatentBlock(latents: Tensor(shape: [1, 1, 1, floats], repeating: 0.5), firstLatentFrame: 0, promptGeneration: 0)
            let packet = Packet(position: 0, payload: block)
            let bytes = Double(floats * 4)
            // Ping-pong: rank 0 sends, rank 1 answers with the same packet; both encode and decode every time.
            var rtts: [Double] = []
            for i in 0..<(pings + 5) {
                if transport.rank == 0 {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    transport.send(try RankWire.encode(packet), to: peer)
                    _ = try RankWire.decode(inbox.take())
                    let t1 = DispatchTime.now().uptimeNanoseconds
                    if i >= 5 { rtts.append(Double(t1 - t0) / 1e3) }
                } else {
                    _ = try RankWire.decode(inbox.take())
                    transport.send(try RankWire.encode(packet), to: peer)
                }
            }
            // Stream: rank 0 keeps `window` packets in flight; rank 1 acknowledges each after decoding it.
            let window = 4
            let ack = Packet(position: 0, payload: 1)
            var seconds = 0.0
            if transport.rank == 0 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                var inFlight = 0
                for _ in 0..<stream {
                    if inFlight == window { _ = try RankWire.decode(inbox.take()); inFlight -= 1 }
                    transport.send(try RankWire.encode(packet), to: peer)
                    inFlight += 1
                }
                while inFlight > 0 { _ = try RankWire.decode(inbox.take()); inFlight -= 1 }
                seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            } else {
                for _ in 0..<stream {
                    _ = try RankWire.decode(inbox.take())
                    transport.send(try RankWire.encode(ack), to: peer)
                }
            }
            if transport.rank == 0 {
                rtts.sort()
                let median = rtts[rtts.count / 2]
                print(String(format: "hop %@: latency %.0f us (half the median round trip of %d), throughput %.0f MB/s, %.0f packets/s (window %d, %d packets)",
                             label, median / 2, rtts.count, bytes * Double(stream) / seconds / 1e6, Double(stream) / seconds, window, stream))
            }
        }
        transport.finish()
    }
}

/// Messages the MPI thread handed over, for the bench's one thread to take in order.
final class Inbox: @unchecked Sendable {
    private let lock = NSCondition()
    private var messages: [WireMessage] = []

    func put(_ m: WireMessage) { lock.withLock { messages.append(m); lock.signal() } }

    func take() -> WireMessage {
        lock.withLock {
            while messages.isEmpty { lock.wait() }
            return messages.removeFirst()
        }
    }
}
