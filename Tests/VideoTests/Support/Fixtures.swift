import Foundation
import FlowTestSupport

/// A fresh directory per test, removed when the test lets go of it.
typealias TemporaryDirectory = TemporaryFolder

/// This target's committed clips (Tests/VideoTests/Fixtures/make_fixtures.sh).
let videoFixtures = FixtureFolder(bundle: .module, origin: "run Tests/VideoTests/Fixtures/make_fixtures.sh")

/// Where a committed fixture is after SwiftPM copied it into the test bundle.
func fixture(_ name: String) -> String { videoFixtures.url.appendingPathComponent(name).path }
