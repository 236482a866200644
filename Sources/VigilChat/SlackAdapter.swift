import Foundation
import VigilCore

/// Slack's slash commands at `/slack/commands`: form bodies signed with the app's signing
/// secret (``SlackSignature``), rendered as Block Kit (``SlackRenderer``).
public struct SlackAdapter: ChatAdapter {
    public var platform: String { "slack" }
    /// Where the platform posts commands; `vigil send` and the manifests name it too.
    public static let commandPath = "/slack/commands"

    public var paths: [String] { [Self.commandPath] }
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

    /// Slack shows "operation_timeout" after 3 s; 2 s leaves a second for the network. A
    /// command without a `response_url` (`vigil send`) has no later reply, so it is waited for.
    public func replyDeadline(for invocation: Invocation) -> Duration? {
        invocation.responseURL == nil ? nil : .seconds(2)
    }

    /// An empty 200: Slack shows nothing until the reply arrives through `response_url`.
    public var deferredAnswer: HandshakeReply { .empty }

    /// The reply posted to the command's `response_url`, which takes the same body as the
    /// immediate answer for 30 minutes.
    public func laterReply(_ reply: Reply, to invocation: Invocation) -> LaterReply? {
        invocation.responseURL.map { LaterReply(method: "POST", url: $0, body: renderer.replyBody(reply)) }
    }
}
