import Foundation
import VigilCore
import VigilJSON

/// Discord's interactions endpoint at `/discord/interactions`: JSON bodies signed with the
/// application's Ed25519 key (``DiscordSignature``), `/incident` as one application command
/// (``DiscordApplicationCommand``), replies as Discord messages (``DiscordRenderer``).
public struct DiscordAdapter: ChatAdapter {
    /// Discord's API, where deferred replies are edited.
    public static let defaultAPIBase = "https://discord.com/api/v10"

    public var platform: String { "discord" }
    /// Where the platform posts commands; `vigil send` and the manifests name it too.
    public static let commandPath = "/discord/interactions"

    public var paths: [String] { [Self.commandPath] }
    public let renderer: any ChatRenderer = DiscordRenderer()
    private let signature: DiscordSignature
    private let decoder: DiscordInteractionDecoder

    /// - Parameters:
    ///   - publicKey: the application's Ed25519 public key, 32 bytes.
    ///   - specs: the command specs `/incident` was registered from.
    ///   - apiBase: Discord's API base; tests point it at a local fake.
    public init(publicKey: [UInt8], applicationID: String, specs: [CommandSpec], apiBase: String = defaultAPIBase)
        throws(DiscordSignature.KeyError)
    {
        signature = try DiscordSignature(publicKey: publicKey)
        decoder = DiscordInteractionDecoder(specs: specs, applicationID: applicationID, apiBase: apiBase)
    }

    public func verify(_ request: ChatRequest, now: Date) throws(ChatRequestError) {
        try signature.verify(
            timestamp: request.header("X-Signature-Timestamp"), signature: request.header("X-Signature-Ed25519"),
            body: request.body, now: now)
    }

    /// A PING (answered `{"type":1}`, which is how Discord checks the endpoint when its URL is
    /// saved), or a use of `/incident`.
    public func decode(_ request: ChatRequest) throws(ChatRequestError) -> ChatRequestContent {
        switch try decoder.decode(request.body) {
        case .ping: .handshake(HandshakeReply(contentType: "application/json", body: JSONValue.object([("type", .int(1))]).serialized()))
        case let .command(invocation): .command(invocation)
        case let .refused(reply): .refused(reply)
        }
    }

    /// Discord fails an interaction not answered within 3 s; 2 s leaves a second for the network.
    public func replyDeadline(for invocation: Invocation) -> Duration? {
        invocation.responseURL == nil ? nil : .seconds(2)
    }

    /// "Vigil is thinking…", seen by the person who asked alone (``DiscordRenderer/deferredReplyBody()``).
    public var deferredAnswer: HandshakeReply {
        HandshakeReply(contentType: "application/json", body: DiscordRenderer().deferredReplyBody().serialized())
    }

    /// The deferred reply, edited in place through the interaction's webhook (valid 15 minutes).
    public func laterReply(_ reply: Reply, to invocation: Invocation) -> LaterReply? {
        invocation.responseURL.map { LaterReply(method: "PATCH", url: $0, body: renderer.webhookBody(reply.message)) }
    }
}
