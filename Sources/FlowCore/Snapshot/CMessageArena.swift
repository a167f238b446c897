import Foundation

/// C memory for one protobuf-c message tree while it is built and packed: strings, arrays and sub-messages,
/// freed together when the arena goes away. protobuf-c's structs hold plain pointers, so Swift strings and
/// arrays cannot be handed to it directly.
final class CMessageArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit { for b in blocks { free(b) } }

    func string(_ s: String) -> UnsafeMutablePointer<CChar> {
        let p = strdup(s)!
        blocks.append(UnsafeMutableRawPointer(p))
        return p
    }

    /// Uninitialized room for `count` values (at least one, so the pointer is never null).
    func array<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let raw = malloc(MemoryLayout<T>.stride * max(count, 1))!
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    func strings(_ values: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let p = array(UnsafeMutablePointer<CChar>?.self, count: values.count)
        for (i, v) in values.enumerated() { (p + i).initialize(to: string(v)) }
        return p
    }

    /// An array of pointers to messages made by `make`.
    func messages<T, Item>(_ items: [Item], _ type: T.Type, _ make: (Item) -> T) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?> {
        let list = array(UnsafeMutablePointer<T>?.self, count: items.count)
        for (i, item) in items.enumerated() {
            let m = array(T.self, count: 1)
            m.initialize(to: make(item))
            (list + i).initialize(to: m)
        }
        return list
    }
}
