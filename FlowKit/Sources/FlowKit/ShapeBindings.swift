/// Values of a node's shape symbols, each with the param it follows from. The compiler unifies them across
/// edges; when two disagree it reports the error at the param a value came from (a `model:` line whose
/// config.json has other latent sizes), not only at the edge.
public struct ShapeBindings: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public struct Binding: Sendable, Equatable {
        public var value: Int
        /// The param the value follows from; nil for a constant of the node type.
        public var param: String?
    }

    public private(set) var entries: [String: Binding] = [:]

    public init() {}

    /// Constants of the node type, or values whose param is obvious from the symbol's doc.
    public init(dictionaryLiteral elements: (String, Int)...) {
        for (symbol, value) in elements { entries[symbol] = Binding(value: value, param: nil) }
    }

    /// Values that all follow from one param (e.g. a model folder's config.json).
    public init(_ values: [String: Int], from param: String) {
        for (symbol, value) in values { entries[symbol] = Binding(value: value, param: param) }
    }

    /// Each symbol from the int param of the given name: `ShapeBindings(p, ["C": "channels"])`.
    public init(_ params: Params, _ symbolParams: [String: String]) {
        for (symbol, param) in symbolParams { bind(symbol, params.int(param), from: param) }
    }

    public subscript(symbol: String) -> Int? {
        get { entries[symbol]?.value }
        set { entries[symbol] = newValue.map { Binding(value: $0, param: nil) } }
    }

    public mutating func bind(_ symbol: String, _ value: Int, from param: String?) {
        entries[symbol] = Binding(value: value, param: param)
    }

    public var values: [String: Int] { entries.mapValues(\.value) }
}
