import FlowCore
import FlowKit

/// Marks each prompt switch in the run's trace at the moment its first frame reached the output,
/// with the block and frame (the report draws these marks). Works with or without `--serve`.
public final class SwitchMarker: Sendable {
    private let observer = RunObserver()

    /// Installs its taps on `run` (before `run()`); nil when the graph has no prompts or no frames.
    public init?(run: GraphRun) {
        let ports = PreviewPorts.choose(in: run.graph)
        guard let frames = ports.frames, !ports.prompts.isEmpty else { return nil }
        for p in ports.prompts {
            run.tap(node: p.node, port: p.port) { [observer] event in
                guard case .packet(let packet) = event else { return }
                for prompt in (packet.payload as? [Prompt]) ?? [(packet.payload as? Prompt)].compactMap({ $0 }) {
                    observer.prompt(prompt, at: PreviewSession.now())
                }
            }
        }
        if let l = ports.latents {
            run.tap(node: l.node, port: l.port) { [observer] event in
                guard case .packet(let p) = event, let block = p.payload as? LatentBlock else { return }
                _ = observer.latent(block: p.position, generation: block.promptGeneration, at: PreviewSession.now())
            }
        }
        run.tap(node: frames.node, port: frames.port) { [observer, unowned run] event in
            guard case .packet(let p) = event, let batch = p.payload as? FrameBatch,
                  let effect = observer.frames(batch, at: PreviewSession.now()) else { return }
            let block = effect.block.map { "block \($0), " } ?? ""
            run.mark("prompt \(effect.generation) (\(effect.mode)) at \(block)frame \(effect.frame ?? batch.firstFrame): \(effect.text)")
        }
    }
}
