// Every file of this target sees the shared test support (tolerances, tensor comparison, the LongLive
// fixtures) without importing it.
@_exported import FlowTestSupport

typealias Fixtures = LongLiveFixtures
