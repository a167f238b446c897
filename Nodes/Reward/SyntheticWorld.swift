/// The synthetic world that world-tiny is trained on, as far as the rule-based verifier needs it. Every value is
/// copied from Training/world.py and must change with it; `VerifierFixtureTests` compares the vocabularies with a
/// fixture written from world.py, and the frame-analysis parity test fails when a palette colour drifts.
enum SyntheticWorld {
    /// A palette entry: world.py's uint8 RGB, held as Float because analyzer.py computes in float32.
    struct Colour: Sendable {
        let name: String
        let r: Float, g: Float, b: Float
    }

    /// world.py `COLOURS`, in its order: the analyzer labels a pixel with the first nearest colour.
    static let objectColours: [Colour] = [
        Colour(name: "red", r: 220, g: 40, b: 40),
        Colour(name: "green", r: 50, g: 200, b: 60),
        Colour(name: "blue", r: 60, g: 110, b: 255),
        Colour(name: "yellow", r: 240, g: 220, b: 40),
        Colour(name: "purple", r: 170, g: 60, b: 220),
        Colour(name: "orange", r: 255, g: 140, b: 20),
        Colour(name: "cyan", r: 40, g: 220, b: 230),
        Colour(name: "white", r: 245, g: 245, b: 245),
    ]

    /// world.py `BACKGROUNDS`, in its order.
    static let backgrounds: [Colour] = [
        Colour(name: "black", r: 10, g: 10, b: 10),
        Colour(name: "dark blue", r: 20, g: 30, b: 90),
        Colour(name: "dark green", r: 20, g: 70, b: 30),
        Colour(name: "gray", r: 90, g: 90, b: 90),
    ]

    static func objectColour(named name: String) -> Int? { objectColours.firstIndex { $0.name == name } }
    static func background(named name: String) -> Int? { backgrounds.firstIndex { $0.name == name } }

    /// world.py `GROW_FRAMES`: a grow or shrink reaches its end size within this many frames of its prompt.
    static let growFrames = 24
    /// The radius halfway between world.py's `SIZES` (small 5, large 9): below it an object looks small.
    static let sizeBoundary = 7.0
}

/// world.py `SHAPES`, in its order: the analyzer keeps the first template of the smallest error.
enum WorldShape: String, CaseIterable, Sendable {
    case circle, square, triangle

    /// The shape's area at "radius" 1 (analyzer.py `_AREA`), so an area gives the radius a template is drawn at.
    var unitArea: Double {
        switch self {
        case .circle: Double.pi
        case .square: 1.8 * 1.8
        case .triangle: 0.5 * 2.2 * 1.98
        }
    }

    /// Centroid below the template's centre in radii (analyzer.py `_DY`): the triangle's apex is farther out
    /// than its base.
    var centroidOffset: Double {
        switch self {
        case .circle, .square: 0
        case .triangle: (-1.1 + 0.88 + 0.88) / 3.0
        }
    }
}

/// world.py `SIZES` (a "radius": half side for squares).
enum WorldSize: String, CaseIterable, Sendable {
    case small, large
}

/// world.py `MOTIONS`. Directions are on screen (y grows downwards); "bounce" is up and down in place.
enum WorldMotion: String, CaseIterable, Sendable {
    case right, left, up, down
    case upRight = "up-right", upLeft = "up-left", downRight = "down-right", downLeft = "down-left"
    case still, bounce, grow, shrink

    /// analyzer.py's eight sectors of the velocity angle, counter-clockwise from "right".
    static let sectors: [WorldMotion] = [.right, .upRight, .up, .upLeft, .left, .downLeft, .down, .downRight]
}
