import Foundation
import VigilCore

/// Slack's slash commands at `/slack/commands` and button presses at `/slack/interactions`:
/// form bodies signed with the app's signing secret (``SlackSignature``), rendered as Block Kit
/// (``SlackRenderer``).
public struct SlackAdapter: ChatAdapter {
    public var platform: String { "slack" }
    /// Where the platform posts commands; `vigil send` and the manifests name it too.
    public static let commandPath = "/slack/commands"
    /// Where the platform posts button presses (the app's Interactivity request URL).
    public static let interactionsPath = "/slack/interactions"

    public var paths: [String] { [Self.commandPath, Self.interactionsPath] }
    public var renderer: any ChatRenderer { slack }
    private let slack = SlackRenderer()
    private let signature: SlackSignature

    public init(signingSecret: String) {
        signature = SlackSignature(signingSecret: signingSecret)
    }

    /// The same check on both paths: Slack signs an interaction's raw form body as it signs a
    /// command's.
    public func verify(_ request: ChatRequest, now: Date) throws(ChatRequestError) {
        try signature.verify(
            timestamp: request.header("X-Slack-Request-Timestamp"), signature: request.header("X-Slack-Signature"),
            body: request.body, now: now)
    }

    /// A slash command, Slack's periodic certificate check (`ssl_check=1`), which wants an
    /// empty 200, or a press of one of Vigil's buttons.
    public func decode(_ request: ChatRequest) throws(ChatRequestError) -> ChatRequestContent {
        let form = try FormBody(decoding: request.body)
        if form["ssl_check"] == "1" { return .handshake(.empty) }
        if request.path == Self.interactionsPath { return .press(try SlackInteractionDecoder.decode(form, platform: platform)) }
        return .command(try SlashCommandDecoder.decode(form, platform: platform))
    }

    /// Slack shows "operation_timeout" after 3 s; 2 s leaves a second for the network. A
    /// command without a `response_url` (`vigil send`) has no later reply, so it is waited for.
    /// A press always has one, and the same 3 s.
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

    /// An empty 200 at once, then the reply through the press's `response_url`: only that
    /// request can replace the message that carried the button (``SlackRenderer/pressReplyBody(_:)``).
    public func pressAnswer(_ reply: Reply, to invocation: Invocation) -> PressAnswer {
        PressAnswer(immediate: .empty, later: laterPressReply(reply, to: invocation))
    }

    /// An empty 200, as for a command.
    public var deferredPressAnswer: HandshakeReply { .empty }

    /// The same body the immediate answer would have sent later.
    public func laterPressReply(_ reply: Reply, to invocation: Invocation) -> LaterReply? {
        invocation.responseURL.map { LaterReply(method: "POST", url: $0, body: slack.pressReplyBody(reply)) }
    }
}
