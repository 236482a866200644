import Foundation
import VigilCore
import VigilJSON

/// Discord's interactions endpoint at `/discord/interactions`: JSON bodies signed with the
/// application's Ed25519 key (``DiscordSignature``), `/incident` as one application command
/// (``DiscordApplicationCommand``), presses of Vigil's buttons and its modal
/// (``DiscordComponents``), replies as Discord messages (``DiscordRenderer``).
public struct DiscordAdapter: ChatAdapter {
    /// Discord's API, where deferred replies are edited.
    public static let defaultAPIBase = "https://discord.com/api/v10"

    public var platform: String { "discord" }
    /// Where the platform posts commands; `vigil send` and the manifests name it too.
    public static let commandPath = "/discord/interactions"

    public var paths: [String] { [Self.commandPath] }
    public var renderer: any ChatRenderer { discord }
    private let discord = DiscordRenderer()
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
    /// saved), a use of `/incident`, a press of one of Vigil's buttons or a submitted modal, or a
    /// press of a button that asks for text first (answered with the modal that asks it).
    public func decode(_ request: ChatRequest) throws(ChatRequestError) -> ChatRequestContent {
        switch try decoder.decode(request.body) {
        case .ping: .handshake(Self.json(["type": 1]))
        case let .command(invocation): .command(invocation)
        case let .refused(reply): .refused(reply)
        case let .press(invocation): .press(invocation)
        case let .modal(modal): .handshake(Self.json(modal))
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

    // MARK: - Presses

    /// UPDATE_MESSAGE for a state change, so the carrying message shows the new state and its
    /// buttons; an ephemeral message to the presser for anything else.
    public func pressAnswer(_ reply: Reply, to invocation: Invocation) -> PressAnswer {
        PressAnswer(immediate: Self.json(discord.pressReplyBody(reply)))
    }

    /// DEFERRED_UPDATE_MESSAGE: nothing changes until the reply follows.
    public var deferredPressAnswer: HandshakeReply { Self.json(discord.deferredPressReplyBody()) }

    /// A state change edits the carrying message (`PATCH …/messages/@original`, which after a
    /// deferred update is that message); anything else is an ephemeral follow-up (`POST` to the
    /// interaction's webhook), so a refusal never overwrites the message and its buttons.
    public func laterPressReply(_ reply: Reply, to invocation: Invocation) -> LaterReply? {
        guard let original = invocation.responseURL else { return nil }
        switch reply.visibility {
        case .inChannel:
            return LaterReply(method: "PATCH", url: original, body: discord.updateBody(reply.message))
        case .ephemeral:
            let suffix = "/messages/@original"
            let webhook = original.hasSuffix(suffix) ? String(original.dropLast(suffix.count)) : original
            return LaterReply(method: "POST", url: webhook, body: discord.followUpBody(reply))
        }
    }

    private static func json(_ value: JSONValue) -> HandshakeReply {
        HandshakeReply(contentType: "application/json", body: value.serialized())
    }
}
