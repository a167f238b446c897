import Foundation

/// A WordPiece vocabulary read from `vocab.txt` (one token a line, the line number is the id).
///
/// Keys are scalar arrays, not `String`s: Swift compares strings by canonical equivalence, which
/// would let a lookup match a vocabulary entry that the byte-exact reference does not.
public struct WordPieceVocabulary: Sendable {
    public let tokens: [String]
    /// Entries that may start a word ("red").
    let wordStarts: [[Unicode.Scalar]: Int32]
    /// Entries that continue a word ("##dish"), keyed without the "##".
    let continuations: [[Unicode.Scalar]: Int32]

    public let padID: Int32
    public let unknownID: Int32
    public let classifierID: Int32
    public let separatorID: Int32
    public let maskID: Int32

    public var count: Int { tokens.count }

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "vocabulary \(path): \(reason)" }
    }

    /// Reads `vocab.txt`; `expectedSize` (the model's vocab_size) guards against a mismatched file.
    public init(contentsOf path: String, expectedSize: Int? = nil) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(path: path, reason: "cannot read the file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw LoadError(path: path, reason: "the file is not valid UTF-8")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines, expectedSize: expectedSize, source: path)
    }

    public init(tokens: [String], expectedSize: Int? = nil, source: String = "<memory>") throws {
        if let expectedSize, tokens.count != expectedSize {
            throw LoadError(path: source, reason: "has \(tokens.count) tokens but the model expects \(expectedSize) (vocab_size in config.json); the vocabulary and the weights do not belong together")
        }
        var starts: [[Unicode.Scalar]: Int32] = [:]
        var continuations: [[Unicode.Scalar]: Int32] = [:]
        starts.reserveCapacity(tokens.count)
        for (i, token) in tokens.enumerated() {
            let scalars = Array(token.unicodeScalars)
            starts[scalars] = Int32(i)
            if scalars.count > 2, scalars[0] == "#", scalars[1] == "#" {
                continuations[Array(scalars[2...])] = Int32(i)
            }
        }
        func special(_ name: String) throws -> Int32 {
            guard let id = starts[Array(name.unicodeScalars)] else {
                throw LoadError(path: source, reason: "lacks the special token \(name)")
            }
            return id
        }
        self.tokens = tokens
        self.wordStarts = starts
        self.continuations = continuations
        padID = try special("[PAD]")
        unknownID = try special("[UNK]")
        classifierID = try special("[CLS]")
        separatorID = try special("[SEP]")
        maskID = try special("[MASK]")
    }

    /// The id of a whole token string, if it is in the vocabulary.
    public func id(of token: String) -> Int32? { wordStarts[Array(token.unicodeScalars)] }
}
