import Foundation
import VigilCore

/// Slack's slash commands at `/slack/commands`: form bodies signed with the app's signing
/// secret (``SlackSignature``), rendered as Block Kit (``SlackRenderer``).
public struct SlackAdapter: ChatAdapter {
    public var platform: String { "slack" }
    public var paths: [String] { ["/slack/commands"] }
    public let renderer: any ChatRenderer = SlackRenderer()
    private let signature: SlackSignature

    public init(signingSecret: String) {
        signature = SlackSignature(signingSecret: signingSecret)
    }

    public func verify(_ request: ChatRequest, now: Date) throws(ChatRequestError) {
        try signature.verify(
            timestamp: request.header("X-Slack-Request-Timestamp"), signature: request.header("X-Slack-Signature"),
            body: request.body, now: now)
    }

    /// A slash command, or Slack's periodic certificate check (`ssl_check=1`), which wants an
    /// empty 200.
    public func decode(_ request: ChatRequest) throws(ChatRequestError) -> ChatRequestContent {
        let form = try FormBody(decoding: request.body)
        if form["ssl_check"] == "1" { return .handshake(.empty) }
        return .command(try SlashCommandDecoder.decode(form, platform: platform))
    }
}
