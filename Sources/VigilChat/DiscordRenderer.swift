import VigilCore
import VigilJSON

/// Discord: Markdown `content` of at most 2,000 characters, with `allowed_mentions` naming
/// exactly the users Vigil means to ping.
///
/// Every text span is escaped (``DiscordMarkdown``). `allowed_mentions.parse` is always empty,
/// so `@everyone`, `@here` and role mentions typed by anyone notify no one, and `users` holds
/// the ids of the message's own ``Span/mention(_:)`` spans. A message's buttons are action rows
/// of `components` (``DiscordComponents``).
public struct DiscordRenderer: ChatRenderer {
    /// Discord refuses a message whose `content` is over 2,000 characters.
    static let maxContentLength = 2000
    /// Discord refuses `allowed_mentions.users` with more than 100 ids.
    static let maxMentionedUsers = 100
    /// Interaction response types (Discord's `InteractionCallbackType`).
    static let channelMessageWithSource: Int64 = 4
    static let deferredChannelMessageWithSource: Int64 = 5
    static let deferredUpdateMessage: Int64 = 6
    static let updateMessage: Int64 = 7
    static let modal: Int64 = 9
    /// The message flag that shows a reply to the person who asked alone.
    static let ephemeralFlag: Int64 = 64

    public init() {}

    /// The interaction response: a message, ephemeral when the core says it is private.
    public func replyBody(_ reply: Reply) -> JSONValue {
        var data = message(reply.message)
        if reply.visibility == .ephemeral { data.append(("flags", .int(Self.ephemeralFlag))) }
        return .object([("type", .int(Self.channelMessageWithSource)), ("data", .object(data))])
    }

    /// The answer to a button press: an in-channel reply (a state change) updates the message
    /// that carried the button (UPDATE_MESSAGE, with the buttons the new state allows); an
    /// ephemeral one (a refusal, a view) is a new message for the presser alone.
    public func pressReplyBody(_ reply: Reply) -> JSONValue {
        switch reply.visibility {
        case .inChannel: .object([("type", .int(Self.updateMessage)), ("data", .object(message(reply.message, forUpdate: true)))])
        case .ephemeral: replyBody(reply)
        }
    }

    /// The answer that acknowledges a press whose reply is not ready in time (DEFERRED_UPDATE_MESSAGE):
    /// Discord shows nothing new, and the reply follows through the interaction's webhook.
    public func deferredPressReplyBody() -> JSONValue {
        ["type": .int(Self.deferredUpdateMessage)]
    }

    /// A follow-up message for the presser alone: how a late refusal reaches them without
    /// overwriting the message that carried the button.
    public func followUpBody(_ reply: Reply) -> JSONValue {
        var data = message(reply.message)
        if reply.visibility == .ephemeral { data.append(("flags", .int(Self.ephemeralFlag))) }
        return .object(data)
    }

    /// A channel webhook's body; also the body that edits a deferred reply.
    public func webhookBody(_ message: Message) -> JSONValue {
        .object(self.message(message))
    }

    /// The body that edits the message that carried a pressed button (`PATCH …/@original`), once
    /// its press was deferred: its buttons always given, so that none left clears the old ones.
    public func updateBody(_ message: Message) -> JSONValue {
        .object(self.message(message, forUpdate: true))
    }

    /// The answer that holds the user's place while the reply is prepared ("Vigil is
    /// thinking…"): ephemeral, so the reply that replaces it is seen by the person who asked
    /// alone, whatever the core would have shown. A slow command's state change is announced
    /// in the incidents channel anyway.
    public func deferredReplyBody() -> JSONValue {
        ["type": .int(Self.deferredChannelMessageWithSource), "data": ["flags": .int(Self.ephemeralFlag)]]
    }

    private func message(_ message: Message, forUpdate: Bool = false) -> [(String, JSONValue)] {
        var kept: [String] = []
        var length = 0
        var pinged: [String] = []
        let rendered = message.lines.map(line)
        for (index, line) in rendered.enumerated() {
            let lineLength = line.text.unicodeScalars.count + (kept.isEmpty ? 0 : 1)
            // Whole lines while they fit, leaving room for the note that says how many were cut.
            let reserve = index == rendered.count - 1 ? 0 : 40
            guard length + lineLength + reserve > Self.maxContentLength else {
                kept.append(line.text)
                length += lineLength
                pinged += line.pinged
                continue
            }
            var cutFrom = index
            if kept.isEmpty {
                // One line longer than a whole message: its start, with the pings still in it.
                let start = Self.cut(line.text, to: Self.maxContentLength - 40)
                kept.append(start)
                pinged += line.pinged.filter { start.contains("<@\($0)>") }
                cutFrom = index + 1
            }
            if cutFrom < rendered.count { kept.append("… (\(rendered.count - cutFrom) more lines cut)") }
            break
        }
        var content = kept.joined(separator: "\n")
        // Discord refuses a message with no content.
        if content.isEmpty { content = "\u{200B}" }
        var users: [JSONValue] = []
        var seen: Set<String> = []
        for id in pinged where seen.insert(id).inserted && users.count < Self.maxMentionedUsers {
            users.append(.string(id))
        }
        var fields: [(String, JSONValue)] = [
            ("content", .string(content)),
            ("allowed_mentions", ["parse": .array([]), "users": .array(users)]),
        ]
        // Always present on a message with buttons, and absent otherwise, so that an update to a
        // state with no buttons left (`[]`) clears the old ones.
        let rows = DiscordComponents.rows(message.actions)
        if !message.actions.isEmpty || forUpdate { fields.append(("components", .array(rows))) }
        return fields
    }

    private func line(_ spans: [Span]) -> (text: String, pinged: [String]) {
        var pinged: [String] = []
        var atStart = true
        let text = spans.map { span -> String in
            defer { atStart = false }
            switch span {
            case let .text(s): return DiscordMarkdown.escape(s, atLineStart: atStart)
            case let .bold(s): return s.isEmpty ? "" : "**\(DiscordMarkdown.escape(s, atLineStart: false))**"
            case let .code(s): return DiscordMarkdown.code(s)
            case let .mention(user):
                if let id = DiscordMarkdown.pingableID(user) { pinged.append(id) }
                return DiscordMarkdown.mention(user)
            }
        }.joined()
        return (text, pinged)
    }

    /// `text` cut to `limit` characters with an ellipsis, never ending in the backslash of a
    /// cut escape.
    static func cut(_ text: String, to limit: Int) -> String {
        var scalars = String.UnicodeScalarView(text.unicodeScalars.prefix(limit - 1))
        while scalars.last == "\\" { scalars.removeLast() }
        return String(scalars) + "…"
    }
}
