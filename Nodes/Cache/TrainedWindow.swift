import FlowKit

/// The sink and window a model was trained with (config.json `denoiser.sampler`), so `cache.manager` given
/// the model uses them by default and warns when a graph departs from them.
struct TrainedWindow: Equatable {
    let sink: Int
    let window: Int

    static func read(_ params: Params) -> TrainedWindow? {
        guard !params.string("model").isEmpty,
              let folder = try? ModelFolder(path: params.path("model")),
              let section = try? folder.section(params.string("weights")),
              let sampler = section["sampler"] as? [String: Any],
              let sink = try? sampler.int("sink_frames"), let window = try? sampler.int("window_frames") else { return nil }
        return TrainedWindow(sink: sink, window: window)
    }

    /// A warning for each written value that departs from training.
    func departures(_ params: Params) -> [ParamProblem] {
        var out: [ParamProblem] = []
        for (name, trained) in [("sink", sink), ("window", window)] where params.isWritten(name) && params.int(name) != trained {
            out.append(.warning(param: name, "\(name) \(params.int(name)) departs from the \(trained) latent frames \(params.string("model")) was trained with; quality may drop"))
        }
        return out
    }

    /// The graph's values where written, the model's otherwise.
    func resolve(_ params: Params) -> (sink: Int, window: Int) {
        (params.isWritten("sink") ? params.int("sink") : sink, params.isWritten("window") ? params.int("window") : window)
    }
}
