import FlowKit

extension VAEDecoder {
    /// Carries `cache` over latent frames `z` without making their pictures: only `decoder.mid` looks back in
    /// time, so the layers before it are all a cache needs. It leaves the cache `decode` leaves, bit for bit
    /// (the same layers on the same block), at a small part of the cost (the 8x8 layers, not the upsampling).
    func advance(_ z: Tensor, cache: inout Cache) {
        _ = mid(convIn(z.channelsLast()), cache: &cache)   // as decode: channels-last from the input on
    }
}
