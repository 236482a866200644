import VigilCore
import VigilJSON

/// Builds Slack Web API calls for a bot token (`slack.bot_token`): posting and threading,
/// editing (redaction goes through ``updateMessage(channel:ts:message:)``), direct messages and
/// per-incident channels. Each call is a JSON `POST` to `<base URL><method>` with
/// `Authorization: Bearer`; ``parse(_:operation:)`` reads the answer.
///
/// Messages render exactly as ``SlackRenderer`` renders webhook posts (the same blocks, the same
/// escaping), so nothing a user typed becomes a mention or a link on this path either.
public struct SlackWebAPI: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Slack's own API root; tests and proxies override it (`slack.api_url`).
    public static let defaultBaseURL = "https://slack.com/api/"
    /// `conversations.invite` takes at most 1,000 users per call.
    public static let maxInvitees = 1000
    /// `conversations.open` opens a DM with one person, or a group DM with up to 8.
    public static let maxDirectUsers = 8
    /// Channel names: at most 80 characters (`conversations.create`, "Naming").
    public static let maxChannelNameLength = 80
    /// Topics are cut by Slack at 250 characters; cutting here keeps the `…` visible.
    public static let maxTopicLength = 250

    private let token: String
    /// The API root, always ending in `/`.
    public let baseURL: String
    private let renderer = SlackRenderer()

    /// - Parameters:
    ///   - token: the bot token (`xoxb-…`); sent only in the `Authorization` header.
    ///   - baseURL: the API root; a missing trailing `/` is added.
    public init(token: String, baseURL: String = SlackWebAPI.defaultBaseURL) {
        self.token = token
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
    }

    // MARK: - Messages

    /// `chat.postMessage`: `message` into `channel` (an id: `C…`, `G…`, `D…`), as a reply in the
    /// thread of `threadTS` when given. Link previews stay off: a pasted URL in a report must not
    /// make Slack fetch it.
    public func postMessage(channel: String, message: Message, threadTS: String? = nil) -> ChatAPIRequest {
        var body: [(String, JSONValue)] = [("channel", .string(channel))]
        if let threadTS { body.append(("thread_ts", .string(threadTS))) }
        body += renderer.content(message)
        body += [("unfurl_links", false), ("unfurl_media", false)]
        return call("chat.postMessage", .postMessage, .object(body), pacingKey: "slack:\(channel)")
    }

    /// `chat.update`: replaces the text and all blocks of the message `ts` in `channel`, buttons
    /// included (a message without buttons clears the old ones). This is how a redaction reaches
    /// a post already made.
    public func updateMessage(channel: String, ts: String, message: Message) -> ChatAPIRequest {
        call("chat.update", .updateMessage, .object([("channel", .string(channel)), ("ts", .string(ts))] + renderer.content(message)))
    }

    /// `pins.add`: pins the message `ts` in `channel` (the incident's announcement, in its room).
    public func pin(channel: String, ts: String) -> ChatAPIRequest {
        call("pins.add", .pinMessage, ["channel": .string(channel), "timestamp": .string(ts)])
    }

    // MARK: - Conversations

    /// `conversations.open`: the direct-message channel with `users` (one id for a DM, up to 8
    /// for a group DM); the answer's ``ChatAPIFields/channelID`` is where to post.
    public func openDirectChannel(users: [String]) throws(ChatAPIRequestError) -> ChatAPIRequest {
        guard (1...Self.maxDirectUsers).contains(users.count) else { throw .userCount(users.count) }
        return call("conversations.open", .openDirectChannel, ["users": .string(users.joined(separator: ","))])
    }

    /// `conversations.create`: a new channel called `name`, private unless `isPrivate` is false.
    ///
    /// - Throws: ``ChatAPIRequestError/invalidChannelName(_:)`` for a name Slack would refuse;
    ///   ``channelName(from:)`` makes a valid one from any text.
    public func createChannel(name: String, isPrivate: Bool) throws(ChatAPIRequestError) -> ChatAPIRequest {
        guard Self.isValidChannelName(name) else { throw .invalidChannelName(name) }
        return call("conversations.create", .createChannel, ["name": .string(name), "is_private": .bool(isPrivate)])
    }

    /// `conversations.invite`: adds `users` (1 to 1,000 ids) to `channel`.
    public func invite(channel: String, users: [String]) throws(ChatAPIRequestError) -> ChatAPIRequest {
        guard (1...Self.maxInvitees).contains(users.count) else { throw .userCount(users.count) }
        return call(
            "conversations.invite", .inviteToChannel, ["channel": .string(channel), "users": .string(users.joined(separator: ","))])
    }

    /// `conversations.archive`: closes an incident's channel, keeping its history.
    public func archive(channel: String) -> ChatAPIRequest {
        call("conversations.archive", .archiveChannel, ["channel": .string(channel)])
    }

    /// `conversations.setTopic`: a channel's topic, escaped like message text and cut to 250
    /// characters.
    public func setTopic(channel: String, topic: String) -> ChatAPIRequest {
        let topic = SlackRenderer.truncate(SlackRenderer.escape(topic), to: Self.maxTopicLength)
        return call("conversations.setTopic", .setTopic, ["channel": .string(channel), "topic": .string(topic)])
    }

    // MARK: - Channel names

    /// Whether Slack accepts `name` for a new channel: 1 to 80 characters, each a lowercase
    /// letter, digit, `-` or `_` (`conversations.create`, "Naming").
    public static func isValidChannelName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maxChannelNameLength && name.utf8.allSatisfy(isChannelNameByte)
    }

    /// A valid channel name made from `text` (`INC-42 Card testing` → `inc-42-card-testing`):
    /// lowercased, every run of other characters turned into one `-`, cut to 80 characters;
    /// `incident` when nothing usable is left.
    public static func channelName(from text: String, maxLength: Int = maxChannelNameLength) -> String {
        var bytes: [UInt8] = []
        for byte in text.lowercased().utf8 {
            if isChannelNameByte(byte) {
                bytes.append(byte)
            } else if let last = bytes.last, last != UInt8(ascii: "-") {
                bytes.append(UInt8(ascii: "-"))
            }
        }
        let name = String(decoding: bytes.prefix(maxLength), as: UTF8.self).trimmingDashes()
        return name.isEmpty ? "incident" : name
    }

    static func isChannelNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    // MARK: - Building

    private func call(_ method: String, _ operation: ChatAPIOperation, _ body: JSONValue, pacingKey: String? = nil) -> ChatAPIRequest {
        ChatAPIRequest(
            method: "POST", url: baseURL + method,
            headers: [.init("Content-Type", "application/json; charset=utf-8"), .init("Authorization", "Bearer \(token)")],
            body: body.serialized(), platform: .slack, operation: operation, pacingKey: pacingKey,
            // Slack limits each method per workspace, and posting per channel as well.
            rateLimitScope: pacingKey ?? "slack:\(method)")
    }

    /// `SlackWebAPI(https://slack.com/api/)`: never the token.
    public var description: String { "SlackWebAPI(\(baseURL))" }
    public var debugDescription: String { description }
    /// `dump(api)` shows the base URL alone.
    public var customMirror: Mirror { Mirror(self, children: ["baseURL": baseURL]) }
}

extension String {
    /// Without leading and trailing `-`.
    fileprivate func trimmingDashes() -> String {
        String(drop { $0 == "-" }.reversed().drop { $0 == "-" }.reversed())
    }
}
