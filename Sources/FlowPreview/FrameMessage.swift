import FlowKit
import NIOCore

/// The binary WebSocket message that carries one frame batch to the page (preview.js decodes it):
/// a 20-byte little-endian header, then RGB bytes, frame after frame.
///
///     0 u8 kind (1)   1 u8 version (1)   2 u16 width   4 u16 height   6 u16 frame count
///     8 u32 first frame   12 i32 prompt generation (-1: none)   16 f32 fps
enum FrameMessage {
    static let headerSize = 20
    /// A batch longer than this sends its last frames only: the page shows the newest anyway.
    static let maxFrames = 16

    static func encode(_ batch: FrameBatch, allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard batch.width <= 0xFFFF, batch.height <= 0xFFFF, batch.count > 0 else { return nil }
        let frameBytes = batch.width * batch.height * 3
        let count = min(batch.count, maxFrames)
        let skipped = batch.count - count
        var buffer = allocator.buffer(capacity: headerSize + count * frameBytes)
        buffer.writeInteger(UInt8(1))
        buffer.writeInteger(UInt8(1))
        buffer.writeInteger(UInt16(batch.width), endianness: .little)
        buffer.writeInteger(UInt16(batch.height), endianness: .little)
        buffer.writeInteger(UInt16(count), endianness: .little)
        buffer.writeInteger(UInt32(truncatingIfNeeded: batch.firstFrame + skipped), endianness: .little)
        buffer.writeInteger(Int32(truncatingIfNeeded: batch.promptGeneration ?? -1), endianness: .little)
        buffer.writeInteger(Float(batch.fps).bitPattern, endianness: .little)
        batch.rgb.withUnsafeBytes { raw in
            _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[(skipped * frameBytes)...]))
        }
        return buffer
    }
}
