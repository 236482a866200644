import Foundation
import VigilCore

/// Mattermost's slash commands at `/mattermost/commands`: form bodies carrying the command's
/// token (``MattermostToken``), rendered as Markdown (``MattermostRenderer``).
public struct MattermostAdapter: ChatAdapter {
    public var platform: String { "mattermost" }
    /// Where the platform posts commands; `vigil send` and the manifests name it too.
    public static let commandPath = "/mattermost/commands"

    public var paths: [String] { [Self.commandPath] }
    public let renderer: any ChatRenderer = MattermostRenderer()
    private let token: MattermostToken

    public init(token: String) {
        self.token = MattermostToken(token: token)
    }

    public func verify(_ request: ChatRequest, now: Date) throws(ChatRequestError) {
        let authorization = request.header("Authorization")
        // The body's token field counts only when the header is absent (a wrong header is not
        // rescued by it), so the body is parsed here only then.
        let formToken = authorization == nil ? try FormBody(decoding: request.body)["token"] : nil
        try token.verify(authorization: authorization, formToken: formToken)
    }

    public func decode(_ request: ChatRequest) throws(ChatRequestError) -> ChatRequestContent {
        .command(try SlashCommandDecoder.decode(FormBody(decoding: request.body), platform: platform))
    }

    /// Mattermost waits for a slash command's answer as long as its outgoing-integration
    /// timeout (30 s by default), longer than any command takes.
    public func replyDeadline(for invocation: Invocation) -> Duration? { nil }

    public var deferredAnswer: HandshakeReply { .empty }

    public func laterReply(_ reply: Reply, to invocation: Invocation) -> LaterReply? { nil }
}
