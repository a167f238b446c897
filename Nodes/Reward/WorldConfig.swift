import FlowKit

/// The `world` entry of a world-tiny config.json as the verifier reads it: the frame size, and the palette and
/// shapes, which must be the ones the verifier's rules were written for (`SyntheticWorld`, from world.py).
/// A model trained on another world is refused here rather than scored by the wrong colours.
struct WorldConfig: Sendable {
    let width: Int
    let height: Int

    init(folder: ModelFolder) throws {
        let world = try folder.section("world")
        width = try world.int("width")
        height = try world.int("height")
        guard width > 0, height > 0 else { throw NodeError("config.json world: \(width)x\(height) frames") }
        if let colours = world["colours"] as? [String: Any] {
            try Self.require(colours, equal: SyntheticWorld.objectColours, "colours", in: folder)
        }
        if let backgrounds = world["backgrounds"] as? [String: Any] {
            try Self.require(backgrounds, equal: SyntheticWorld.backgrounds, "backgrounds", in: folder)
        }
        if let shapes = world["shapes"] as? [String], shapes != WorldShape.allCases.map(\.rawValue) {
            throw NodeError("\(folder.path)/config.json world.shapes is \(shapes); reward.verifier knows \(WorldShape.allCases.map(\.rawValue))")
        }
    }

    private static func require(_ entry: [String: Any], equal palette: [SyntheticWorld.Colour], _ key: String,
                                in folder: ModelFolder) throws {
        let known = palette.map { "\($0.name) \([Int($0.r), Int($0.g), Int($0.b)])" }
        let given = try entry.keys.map { "\($0) \(try entry.ints($0))" }.sorted()
        guard given == known.sorted() else {
            throw NodeError("\(folder.path)/config.json world.\(key) is {\(given.joined(separator: ", "))}; reward.verifier's "
                            + "rules are for Training/world.py's {\(known.joined(separator: ", "))}")
        }
    }
}
