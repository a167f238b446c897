/// The phrases of Training/world.py `VOCAB["train"]` and `VOCAB["extra"]` (both are trained on), merged per
/// attribute. Backgrounds are written without their article ("a black background" -> "black background") so
/// "over the black background" reads too. The held-out vocabulary is left out on purpose: it measures
/// generalisation, and a verifier that knew it would not be the training-free, training-vocabulary judge it
/// says it is. `PromptAttributesTests` reads every phrase of the fixture's copy of `VOCAB`, so a word added to
/// world.py and not here fails a test.
enum TrainingVocabulary {
    static let colours: [(String, [String])] = [
        ("red", ["red", "ruby", "cherry red"]),
        ("green", ["green", "jade", "grass green"]),
        ("blue", ["blue", "sapphire", "royal blue"]),
        ("yellow", ["yellow", "canary yellow", "sunflower yellow"]),
        ("purple", ["purple", "plum", "amethyst"]),
        ("orange", ["orange", "pumpkin", "apricot"]),
        ("cyan", ["cyan", "teal", "light blue-green"]),
        ("white", ["white", "pearl white", "milk white"]),
    ]

    static let shapes: [(WorldShape, [String])] = [
        (.circle, ["circle", "ball", "orb", "sphere"]),
        (.square, ["square", "cube", "tile"]),
        (.triangle, ["triangle", "triangular shape", "trigon"]),
    ]

    static let sizes: [(WorldSize, [String])] = [
        (.small, ["small", "miniature", "petite"]),
        (.large, ["large", "big", "massive", "enormous"]),
    ]

    static let motions: [(WorldMotion, [String])] = [
        (.right, ["moves right", "drifts right", "slides to the right", "glides right", "goes to the right"]),
        (.left, ["moves left", "drifts left", "slides to the left", "glides left", "goes to the left"]),
        (.up, ["moves up", "drifts upward", "ascends", "goes up"]),
        (.down, ["moves down", "drifts downward", "descends", "goes down"]),
        (.upRight, ["moves up and to the right", "goes diagonally up and right"]),
        (.upLeft, ["moves up and to the left", "goes diagonally up and left"]),
        (.downRight, ["moves down and to the right", "goes diagonally down and right"]),
        (.downLeft, ["moves down and to the left", "goes diagonally down and left"]),
        (.still, ["stays still", "does not move", "remains stationary", "holds its position"]),
        (.bounce, ["bounces", "bounces up and down", "jumps up and down", "keeps jumping"]),
        (.grow, ["grows", "gets bigger", "enlarges", "becomes larger"]),
        (.shrink, ["shrinks", "gets smaller", "diminishes", "becomes smaller"]),
    ]

    static let backgrounds: [(String, [String])] = [
        ("black", ["black background", "inky black canvas"]),
        ("dark blue", ["dark blue background", "deep blue canvas"]),
        ("dark green", ["dark green background", "deep green canvas"]),
        ("gray", ["gray background", "ash gray canvas"]),
    ]
}
