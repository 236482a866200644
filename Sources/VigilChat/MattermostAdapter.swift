import Foundation
import VigilCore

/// Mattermost's slash commands at `/mattermost/commands`: form bodies carrying the command's
/// token (``MattermostToken``), rendered as Markdown (``MattermostRenderer``); and presses of
/// Vigil's buttons at `/mattermost/actions`: JSON whose context carries the command and its MAC
/// (``MattermostActionMAC``).
public struct MattermostAdapter: ChatAdapter {
    public var platform: String { "mattermost" }
    /// Where the platform posts commands; `vigil send` and the manifests name it too.
    public static let commandPath = "/mattermost/commands"
    /// Where the platform posts button presses (each button's `integration.url`).
    public static let actionsPath = MattermostRenderer.actionsPath

    public var paths: [String] { [Self.commandPath, Self.actionsPath] }
    public var renderer: any ChatRenderer { mattermost }
    private let mattermost: MattermostRenderer
    private let token: MattermostToken
    private let mac: MattermostActionMAC

    /// - Parameters:
    ///   - token: the slash command's token; it also keys the buttons' MAC.
    ///   - publicURL: where Mattermost reaches Vigil; `nil` renders no buttons (presses of
    ///     buttons rendered before are still checked and served).
    public init(token: String, publicURL: String? = nil) {
        self.token = MattermostToken(token: token)
        mac = MattermostActionMAC(token: token)
        mattermost = MattermostRenderer(buttons: publicURL.map { MattermostRenderer.Buttons(publicURL: $0, token: token) })
    }

    /// A command by its token; a press by its button's MAC, as Mattermost signs neither.
    public func verify(_ request: ChatRequest, now: Date) throws(ChatRequestError) {
        if request.path == Self.actionsPath {
            try MattermostActionDecoder.check(request.body, mac: mac)
            return
        }
        let authorization = request.header("Authorization")
        // The body's token field counts only when the header is absent (a wrong header is not
        // rescued by it), so the body is parsed here only then.
        let formToken = authorization == nil ? try FormBody(decoding: request.body)["token"] : nil
        try token.verify(authorization: authorization, formToken: formToken)
    }

    public func decode(_ request: ChatRequest) throws(ChatRequestError) -> ChatRequestContent {
        if request.path == Self.actionsPath { return .press(try MattermostActionDecoder.decode(request.body, platform: platform)) }
        return .command(try SlashCommandDecoder.decode(FormBody(decoding: request.body), platform: platform))
    }

    /// Mattermost waits for a slash command's answer as long as its outgoing-integration
    /// timeout (30 s by default), longer than any command takes; a press the same.
    public func replyDeadline(for invocation: Invocation) -> Duration? { nil }

    public var deferredAnswer: HandshakeReply { .empty }

    public func laterReply(_ reply: Reply, to invocation: Invocation) -> LaterReply? { nil }

    /// The post update or the ephemeral text, as the press's HTTP answer
    /// (``MattermostRenderer/pressReplyBody(_:)``).
    public func pressAnswer(_ reply: Reply, to invocation: Invocation) -> PressAnswer {
        PressAnswer(immediate: HandshakeReply(contentType: "application/json", body: mattermost.pressReplyBody(reply).serialized()))
    }

    public var deferredPressAnswer: HandshakeReply { .empty }

    public func laterPressReply(_ reply: Reply, to invocation: Invocation) -> LaterReply? { nil }
}
