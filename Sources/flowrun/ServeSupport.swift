import FlowCore
import FlowPreview
import Foundation
import InteractiveNodes
import Logging

/// `--serve`: the live preview around one run. Opens the prompt inbox before the graph's nodes are
/// created (so `prompt.source` reads it), starts the server once the run exists, and stops both
/// when the run returns.
enum ServeSupport {
    /// Checks the address: loopback unless `--allow-remote` (the preview has no authentication).
    static func address(_ text: String, allowRemote: Bool) -> ServeAddress {
        let address: ServeAddress
        do { address = try ServeAddress.parse(text) } catch {
            fail("--serve: \(error)")
        }
        if !address.isLoopback && !allowRemote {
            fail("--serve \(address): not a loopback address; anyone who can reach it could watch and steer the run. Add --allow-remote if that is what you want")
        }
        return address
    }

    static func prepare() { PromptInbox.shared.open() }

    static func start(run: GraphRun, address: ServeAddress, logger: Logger) -> PreviewSession {
        let takesPrompts = run.graph.nodes.contains { $0.contract.type == "prompt.source" }
        let postToInbox: @Sendable (String) -> Bool = { text in PromptInbox.shared.post(text) }
        let post = takesPrompts ? postToInbox : nil
        let options = PreviewSession.Options(
            address: address,
            postPrompt: post,
            framesEnded: { PromptInbox.shared.close() },
            logger: logger)
        let session: PreviewSession
        do { session = try PreviewSession(run: run, options: options) } catch {
            PromptInbox.shared.close()
            fail("--serve \(address): cannot listen: \(error)")
        }
        // Without a frames port nothing would say the video is done: take no prompts at all then.
        if session.framesPort == nil { PromptInbox.shared.close() }
        if !address.isLoopback {
            FileHandle.standardError.write(Data("flowrun: warning: the preview listens on \(address), reachable from other machines, without authentication\n".utf8))
        }
        FileHandle.standardError.write(Data("flowrun: preview at \(session.url)  (frames from \(session.framesPort ?? "none"); Ctrl-C stops the run)\n".utf8))
        return session
    }

    static func stop(_ session: PreviewSession?, _ outcome: RunOutcome) {
        PromptInbox.shared.close()
        guard let session else { return }
        switch outcome {
        case .completed: session.stop(outcome: "completed")
        case .failed: session.stop(outcome: "failed")
        case .interrupted: session.stop(outcome: "interrupted")
        }
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("flowrun: error: \(message)\n".utf8))
        exit(ExitStatus.badInput.code)
    }
}
