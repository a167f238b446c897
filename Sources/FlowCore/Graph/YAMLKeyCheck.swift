import CYaml

/// Refuses a list or mapping used as a mapping key before Yams composes the document. Yams hashes every
/// key to find duplicates, and a key that is an alias of a "billion laughs" list is hashed element by
/// element after alias expansion: a 600-byte file took minutes. Graph keys are plain names anyway.
enum YAMLKeyCheck {
    /// The first collection key (or alias of one) in `text`, as the message and place to report; nil when
    /// there is none, or when the text does not parse (Yams then reports the syntax error).
    static func firstCollectionKey(in text: String, file: String) -> Diagnostic? {
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var walk = EventWalk()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return nil }
                if let kind = walk.collectionKey(event) {
                    let at = SourceLocation(file: file, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
                    return .error("mapping keys must be plain names, not \(kind)", at: at)
                }
            }
        }
    }

    /// Which node of the event stream is a mapping key, and what each anchor names.
    private struct EventWalk {
        /// For each open collection: a mapping's next node is a key when true.
        var expectingKey: [Bool?] = []
        var anchorKinds: [String: String] = [:]

        /// "a list" or "a mapping" when this event starts a key that is one (directly or through an alias).
        mutating func collectionKey(_ event: yaml_event_t) -> String? {
            let isKey = expectingKey.last.flatMap { $0 } ?? false
            var kind: String?
            switch event.type {
            case YAML_SCALAR_EVENT:
                remember(event.data.scalar.anchor, as: "a scalar")
                advance()
            case YAML_ALIAS_EVENT:
                kind = name(event.data.alias.anchor).flatMap { anchorKinds[$0] }.flatMap { $0 == "a scalar" ? nil : $0 }
                advance()
            case YAML_SEQUENCE_START_EVENT:
                kind = "a list"
                remember(event.data.sequence_start.anchor, as: "a list")
                expectingKey.append(nil)
            case YAML_MAPPING_START_EVENT:
                kind = "a mapping"
                remember(event.data.mapping_start.anchor, as: "a mapping")
                expectingKey.append(true)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                expectingKey.removeLast()
                advance()
            default:
                break
            }
            return isKey ? kind : nil
        }

        /// A node ended: in a mapping, keys and values alternate.
        private mutating func advance() {
            if let last = expectingKey.last, let key = last { expectingKey[expectingKey.count - 1] = !key }
        }

        private mutating func remember(_ anchor: UnsafeMutablePointer<yaml_char_t>?, as kind: String) {
            if let anchor = name(anchor) { anchorKinds[anchor] = kind }
        }

        private func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
    }
}
