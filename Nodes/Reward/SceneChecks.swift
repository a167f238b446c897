/// The verifier's rules: frame observations against the scene a prompt expects.
///
/// Background, colour, shape and size are judged per window (4 frames, as the analyzer judges per window:
/// majority background, colour in at least half the frames, majority shape, median radius). Motion cannot be
/// judged on 4 frames, so it is judged once per batch on a longer track (`RewardVerifierNode` says which frames)
/// and that verdict counts in each window the batch completes.
struct SceneChecks: Sendable {
    let judge: MotionJudge

    /// A track shorter than this is too short to judge motion on: the motion is not checked.
    static let minMotionFrames = MotionJudge.minObservedFrames

    /// What is settled once per batch for each expected object.
    struct BatchVerdict: Sendable {
        /// The observed colour that stands for each expected object: its own, or for an object whose colour the
        /// prompt does not name, the colour seen most often on the track that no other expected object names.
        var colours: [Int?]
        /// Whether each object's motion matched; nil where the prompt names none or the track is too short.
        var motions: [Bool?]
    }

    /// `track`: consecutive frames of one prompt ending with the batch's last frame; `trackOffset`: frames from
    /// the prompt's first frame to the track's first.
    func batchVerdict(_ scene: ExpectedScene, track: [FrameObservation], trackOffset: Int) -> BatchVerdict {
        var taken = Set(scene.objects.compactMap(\.colour))
        let colours: [Int?] = scene.objects.map { object in
            if let c = object.colour { return c }
            var seen: [Int: Int] = [:]
            for frame in track { for c in frame.objects.keys where !taken.contains(c) { seen[c, default: 0] += 1 } }
            let best = seen.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key
            if let best { taken.insert(best) }
            return best
        }
        let motions: [Bool?] = zip(scene.objects, colours).map { object, colour in
            guard let expected = object.motion, track.count >= Self.minMotionFrames else { return nil }
            guard let colour, let seen = judge.motion(of: colour, in: track) else { return false }
            return Self.accepted(expected, firstOffset: trackOffset, lastOffset: trackOffset + track.count - 1).contains(seen)
        }
        return BatchVerdict(colours: colours, motions: motions)
    }

    /// A grow or shrink reaches its end size within `growFrames` of its prompt and then stays (world.py; the
    /// analyzer's `expected_motion` says the same): a track after that should look still, one across it may.
    static func accepted(_ motion: WorldMotion, firstOffset: Int, lastOffset: Int) -> Set<WorldMotion> {
        guard motion == .grow || motion == .shrink else { return [motion] }
        if lastOffset < SyntheticWorld.growFrames { return [motion] }
        if firstOffset >= SyntheticWorld.growFrames { return [.still] }
        return [motion, .still]
    }

    /// One window's checks. `windowOffset`: frames from the prompt's first frame to the window's first.
    func judgeWindow(_ frames: ArraySlice<FrameObservation>, _ scene: ExpectedScene, _ verdict: BatchVerdict,
                     windowOffset: Int) -> AttributeTally {
        var tally = AttributeTally()
        if let bg = scene.background {
            tally.record(.background, Self.majority(frames.map(\.background)) == bg)
        }
        for (k, object) in scene.objects.enumerated() {
            let seen = verdict.colours[k].map { c in frames.compactMap { $0.objects[c] } } ?? []
            tally.record(.colour, 2 * seen.count >= frames.count)
            if let shape = object.shape {
                tally.record(.shape, Self.majority(seen.map(\.shape)) == shape)
            }
            // A grow or shrink is between sizes until it ends; the prompt names the size it ends at.
            let sizeSettled = object.motion != .grow && object.motion != .shrink || windowOffset >= SyntheticWorld.growFrames
            if let size = object.size, sizeSettled {
                let radii = seen.map(\.radius).sorted()
                let looks = radii.isEmpty ? nil : (radii[radii.count / 2] < SyntheticWorld.sizeBoundary ? WorldSize.small : .large)
                tally.record(.size, looks == size)
            }
            if let ok = verdict.motions[k] { tally.record(.motion, ok) }
        }
        return tally
    }

    /// The most frequent value, the first seen on a tie (Python's `Counter.most_common`); nil for none.
    static func majority<T: Hashable>(_ values: [T]) -> T? {
        var counts: [T: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        var best: T?, bestCount = 0
        for v in values where counts[v]! > bestCount { (best, bestCount) = (v, counts[v]!) }
        return best
    }
}
