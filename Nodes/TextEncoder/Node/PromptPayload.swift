import FlowKit

/// The prompt payloads `text.encoder` accepts: a `Prompt`, a batch `[Prompt]` (encoded in one
/// forward pass), or raw text as `String` or UTF-8 bytes `[UInt8]` (checked, never repaired).
enum PromptPayload {
    static func prompts(in packet: Packet) throws -> [Prompt] {
        switch packet.payload {
        case let prompt as Prompt:
            return [prompt]
        case let batch as [Prompt]:
            return batch
        case let text as String:
            return [Prompt(text: text, startFrame: packet.position, generation: packet.position)]
        case let bytes as [UInt8]:
            do {
                let text = try UTF8Text.decode(bytes)
                return [Prompt(text: text, startFrame: packet.position, generation: packet.position)]
            } catch let error as UTF8Text.InvalidUTF8 {
                throw NodeError("packet at position \(packet.position): \(error)")
            }
        default:
            throw NodeError("packet at position \(packet.position) carries \(type(of: packet.payload)); text.encoder takes Prompt, [Prompt], String or UTF-8 bytes")
        }
    }
}
