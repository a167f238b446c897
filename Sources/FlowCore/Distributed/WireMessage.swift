import Foundation

/// Bytes that outlive the call that filled them: a packet's tensors travel in one of these from the
/// encoding node's thread to the MPI thread, which sends straight from it (no copy into the transport).
public final class ByteBuffer: @unchecked Sendable {
    public let bytes: UnsafeMutableRawPointer
    public let count: Int

    public init(count: Int) {
        self.count = count
        bytes = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
    }

    deinit { bytes.deallocate() }

    public var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: bytes, count: count) }
}

/// One message between ranks: a protobuf header (`EdgePacket`, Schemas/edge_packet.proto) and, for a packet
/// that carries tensors, their raw bytes.
public struct WireMessage: Sendable {
    public var header: [UInt8]
    public var payload: ByteBuffer?

    public init(header: [UInt8], payload: ByteBuffer? = nil) {
        self.header = header
        self.payload = payload
    }
}

/// Moves messages between the ranks of one job. The MPI implementation (FlowMPI) keeps MPI on one thread of
/// its own; `send` only queues, so a node's thread never calls MPI.
public protocol RankTransport: AnyObject, Sendable {
    var rank: Int { get }
    var size: Int { get }
    /// Queues a message for another rank and returns at once; messages to one rank arrive in order.
    func send(_ message: WireMessage, to rank: Int)
    /// Where arriving messages go; called on the transport's thread, so it must not block. Set before the first send.
    func setReceiver(_ receive: @escaping @Sendable (WireMessage, _ from: Int) -> Void)
}
