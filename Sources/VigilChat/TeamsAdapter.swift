import Foundation
import VigilCore
import VigilJSON

/// Microsoft Teams' outgoing webhook at `/teams/messages`: a Bot Framework message activity,
/// sent when someone @mentions the webhook in a channel, signed with the webhook's security
/// token (``TeamsSignature``) and answered synchronously with an Adaptive Card (``TeamsRenderer``).
///
/// Teams has no slash command and no private reply: the command is the message's text after the
/// mention (``TeamsMessageText``), and every reply is seen by everyone in the thread, so
/// invocations say `repliesArePrivate: false` and the core renders private views as shared ones.
/// Nor is there a later reply: no `response_url`, and Teams waits five seconds for the answer.
public struct TeamsAdapter: ChatAdapter {
    /// How far an activity's `timestamp` may be from now. Teams signs no time and documents no
    /// window; this is Slack's five minutes, so a captured request cannot be replayed later than
    /// that (and within it, the command desk answers a repeated activity `id` from the store).
    public static let window: TimeInterval = 300

    public var platform: String { "teams" }
    /// Where the platform posts commands; `vigil send` and the manifests name it too.
    public static let commandPath = "/teams/messages"

    public var paths: [String] { [Self.commandPath] }
    public let renderer: any ChatRenderer
    private let signature: TeamsSignature

    /// `securityToken` is the webhook's security token, already decoded from base64;
    /// `publicURL` (`public_url`) is where a card's buttons link to (``TeamsRenderer``), `nil`
    /// for cards without them.
    public init(securityToken: [UInt8], publicURL: String? = nil) {
        signature = TeamsSignature(securityToken: securityToken)
        renderer = TeamsRenderer(publicURL: publicURL)
    }

    /// The HMAC over the raw body first; only then is the body parsed, for its `timestamp`.
    public func verify(_ request: ChatRequest, now: Date) throws(ChatRequestError) {
        try signature.verify(authorization: request.header("Authorization"), body: request.body)
        guard let stamp = try Self.activity(request.body)["timestamp"]?.stringValue, !stamp.isEmpty else {
            throw ChatRequestError(.unauthorized, "missing activity timestamp")
        }
        guard let sent = ISOTimestamp.date(stamp) else {
            throw ChatRequestError(.unauthorized, "malformed activity timestamp")
        }
        guard abs(now.timeIntervalSince(sent)) <= Self.window else {
            throw ChatRequestError(.unauthorized, "stale activity timestamp")
        }
    }

    /// A message activity as a `/incident` command. The body is parsed again here, rather than
    /// kept from ``verify(_:now:)``: adapters hold no state per request, and a body is at most
    /// 64 KiB.
    public func decode(_ request: ChatRequest) throws(ChatRequestError) -> ChatRequestContent {
        let activity = try Self.activity(request.body)
        guard activity["type"]?.stringValue == "message" else {
            throw ChatRequestError(.malformed, "not a message activity")
        }
        guard let id = Self.nonEmpty(activity["id"]) else { throw ChatRequestError(.malformed, "missing activity id") }
        guard let userID = Self.nonEmpty(activity["from"]?["id"]) else { throw ChatRequestError(.malformed, "missing from.id") }
        let text = TeamsMessageText.command(activity["text"]?.stringValue ?? "", mentions: Self.mentions(activity["entities"]))
        return .command(
            Invocation(
                platform: platform,
                // The identity is Teams' user ID (`29:…`); the display name is only shown.
                user: UserRef(id: userID, name: Self.nonEmpty(activity["from"]?["name"]) ?? userID, platform: platform),
                // Outgoing webhooks carry the channel's ID but not its name.
                channelName: "",
                channelID: Self.nonEmpty(activity["channelData"]?["teamsChannelId"]) ?? Self.nonEmpty(activity["conversation"]?["id"])
                    ?? "",
                command: Invocation.incidentCommand, text: text, responseURL: nil, requestID: id, repliesArePrivate: false))
    }

    /// Teams gives up on an answer after 5 s; 4 s leaves a second for the network.
    public func replyDeadline(for invocation: Invocation) -> Duration? { .seconds(4) }

    /// Teams has no way to reply later, so the placeholder says where the outcome will show.
    public var deferredAnswer: HandshakeReply {
        let reply = Reply.ephemeral(
            "Vigil is still working on this. If it changes an incident, the change will be announced in the incidents channel; "
                + "otherwise ask again in a minute.")
        return HandshakeReply(contentType: "application/json", body: renderer.replyBody(reply).serialized())
    }

    /// Nothing: an outgoing webhook takes one answer, the HTTP response.
    public func laterReply(_ reply: Reply, to invocation: Invocation) -> LaterReply? { nil }

    static func activity(_ body: [UInt8]) throws(ChatRequestError) -> JSONValue {
        guard let activity = try? JSONValue.parse(body), activity.objectMembers != nil else {
            throw ChatRequestError(.malformed, "body is not a JSON object")
        }
        return activity
    }

    /// The `mention` entities: who each `<at>…</at>` in the text names.
    static func mentions(_ entities: JSONValue?) -> [TeamsMessageText.Mention] {
        (entities?.arrayValue ?? []).compactMap { entity in
            guard entity["type"]?.stringValue == "mention", let text = entity["text"]?.stringValue,
                let id = nonEmpty(entity["mentioned"]?["id"])
            else { return nil }
            return TeamsMessageText.Mention(text: text, id: id, name: entity["mentioned"]?["name"]?.stringValue ?? "")
        }
    }

    static func nonEmpty(_ value: JSONValue?) -> String? {
        guard let string = value?.stringValue, !string.isEmpty else { return nil }
        return string
    }
}
