import FlowKit

/// What a prompt says the frames should show. An attribute the prompt does not name, or names in words the
/// verifier does not know, is nil: it is simply not checked.
struct ExpectedScene: Sendable, Equatable {
    /// Index into `SyntheticWorld.backgrounds`.
    var background: Int?
    var objects: [ExpectedObject]

    /// How many attributes the prompt names.
    var attributeCount: Int { (background == nil ? 0 : 1) + objects.map(\.attributeCount).reduce(0, +) }
}

struct ExpectedObject: Sendable, Equatable {
    /// Index into `SyntheticWorld.objectColours`.
    var colour: Int?
    var shape: WorldShape?
    var size: WorldSize?
    var motion: WorldMotion?

    var attributeCount: Int { [colour != nil, shape != nil, size != nil, motion != nil].filter { $0 }.count }
}

/// Reads the expected scene from prompt text in the words of world.py's two training vocabularies (`VOCAB`
/// "train" and "extra"), so any prompt `world.phrase` writes for training is read completely, one- or
/// two-object. Held-out words (crimson, disc, heads east, ...) and any other words are skipped: the attribute
/// they name is not checked. A prompt from which nothing at all can be read is an error naming the prompt.
///
/// The text is cut into lower-case words; at each word the longest known phrase wins ("moves up and to the
/// right" before "moves up", "dark blue background" before "blue"). Attributes are gathered into objects in
/// the order they come. A new object starts when the current one already has that kind of attribute ("a small
/// red circle ... and a large ..."), after a motion ("... bounces next to a blue square"), or after an article
/// (a, an, the) once the current object has something; so "the circle turns green and bounces" is one object.
/// A colour word followed by a background noun in unknown words ("a forest green backdrop") is skipped, not taken
/// for an object's colour.
enum PromptAttributes {
    static func read(_ prompt: String) throws -> ExpectedScene {
        let words = prompt.lowercased()
            .split { (c: Character) in !(c.isLetter || c.isNumber || c == "-") }
            .map(String.init)
        var scene = ExpectedScene(background: nil, objects: [])
        var current = ExpectedObject()
        var lastWasMotion = false, afterArticle = false
        func startObject() {
            if current.attributeCount > 0 { scene.objects.append(current) }
            current = ExpectedObject()
            lastWasMotion = false
        }
        var i = 0
        while i < words.count {
            guard let (length, phrase) = longestPhrase(words, at: i) else {
                if ["a", "an", "the"].contains(words[i]) { afterArticle = true }
                i += 1
                continue
            }
            i += length
            // A colour naming a background in other words ("a forest green backdrop") is no object's colour.
            if case .colour = phrase, i < words.count, backgroundNouns.contains(words[i]) {
                i += 1
                afterArticle = false
                continue
            }
            if case .background(let bg) = phrase {
                scene.background = scene.background ?? bg
                afterArticle = false
                continue
            }
            let alreadySet: Bool
            switch phrase {
            case .colour: alreadySet = current.colour != nil
            case .shape: alreadySet = current.shape != nil
            case .size: alreadySet = current.size != nil
            case .motion: alreadySet = current.motion != nil
            case .background: alreadySet = false
            }
            let isMotion = if case .motion = phrase { true } else { false }
            if alreadySet || (lastWasMotion && !isMotion) || (afterArticle && current.attributeCount > 0) { startObject() }
            switch phrase {
            case .colour(let c): current.colour = c
            case .shape(let s): current.shape = s
            case .size(let s): current.size = s
            case .motion(let m): current.motion = m
            case .background: break
            }
            lastWasMotion = isMotion
            afterArticle = false
        }
        startObject()
        guard scene.attributeCount > 0 else {
            throw NodeError("prompt '\(prompt)' names nothing the verifier can check: no background, colour, shape, size "
                            + "or motion of the synthetic world in the words of Training/world.py's training vocabularies")
        }
        return scene
    }

    /// Nouns world.py's vocabularies (held-out included) use for a background.
    static let backgroundNouns: Set<String> = ["background", "backdrop", "canvas"]

    enum Phrase: Sendable, Equatable {
        case background(Int), colour(Int), shape(WorldShape), size(WorldSize), motion(WorldMotion)
    }

    /// The longest known phrase starting at word `i`, with its length in words.
    private static func longestPhrase(_ words: [String], at i: Int) -> (Int, Phrase)? {
        for length in stride(from: min(lexicon.longest, words.count - i), through: 1, by: -1) {
            if let phrase = lexicon.phrases[words[i..<(i + length)].joined(separator: " ")] { return (length, phrase) }
        }
        return nil
    }

    /// Every phrase of both training vocabularies, as word sequences joined by single spaces.
    static let lexicon: (phrases: [String: Phrase], longest: Int) = {
        var phrases: [String: Phrase] = [:]
        for (name, words) in TrainingVocabulary.colours { for w in words { phrases[w] = .colour(SyntheticWorld.objectColour(named: name)!) } }
        for (shape, words) in TrainingVocabulary.shapes { for w in words { phrases[w] = .shape(shape) } }
        for (size, words) in TrainingVocabulary.sizes { for w in words { phrases[w] = .size(size) } }
        for (motion, words) in TrainingVocabulary.motions { for w in words { phrases[w] = .motion(motion) } }
        for (name, words) in TrainingVocabulary.backgrounds { for w in words { phrases[w] = .background(SyntheticWorld.background(named: name)!) } }
        return (phrases, phrases.keys.map { $0.split(separator: " ").count }.max() ?? 1)
    }()
}
