import FlowKit

/// One evicted frame in the memory bank: its K/V in storage precision. The descriptor lives in the bank's
/// contiguous matrix and the bookkeeping a query scans in a `BankSlot`, both at the entry's slot.
struct BankEntry: Sendable {
    let position: Int
    let promptGeneration: Int
    let keysRotated: Bool
    /// `KVEviction.sequence`: the cache manager's running count of evictions, so larger is more recent.
    let sequence: Int
    let keys: [BankTensor]
    let values: [BankTensor]
    /// K/V bytes plus the descriptor's.
    let bytes: Int

    init(_ eviction: KVEviction, precision: BankPrecision, descriptorBytes: Int) {
        let f = eviction.frame
        position = f.position
        promptGeneration = f.promptGeneration
        keysRotated = f.keysRotated
        sequence = eviction.sequence
        keys = f.keys.map { BankTensor($0, precision: precision) }
        values = f.values.map { BankTensor($0, precision: precision) }
        bytes = (keys + values).reduce(descriptorBytes) { $0 + $1.bytes }
    }

    /// The frame as attention sees it: f32 K/V. The latent stays behind: retrieved frames join the attention
    /// input only, never the cache, so nothing re-caches them.
    var frame: KVFrame {
        KVFrame(position: position, keys: keys.map(\.tensor), values: values.map(\.tensor), latent: nil,
                promptGeneration: promptGeneration, keysRotated: keysRotated)
    }
}

/// What a query and the budget scan read of every entry, kept apart from the K/V so that those loops walk
/// one compact array (14,400 entries for an hour of video).
struct BankSlot: Sendable {
    let sequence: Int
    let position: Int
    /// Times a query returned this frame.
    var retrievals = 0
    /// Whether it has been a candidate of any query yet (it is not while among the most recent evictions).
    var offered = false
}
