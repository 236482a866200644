/// A piece of inline chat text. Platforms render emphasis and mentions differently, so the core
/// describes them and each chat adapter prints its own markup.
public enum Span: Sendable, Equatable {
    case text(String)
    case bold(String)
    case code(String)
    case mention(UserRef)
}

/// A chat message as the core composes it: a plain-text fallback that always carries the facts
/// (ID, state, severity, category, title unless restricted) and rich lines for platforms that can
/// show them, and the buttons that act on what it is about.
public struct Message: Sendable, Equatable {
    /// One line of rich text per entry.
    public var lines: [[Span]]
    /// Buttons, in order; platforms without buttons show nothing for them, because every line
    /// that asks for an action already names its command.
    public var actions: [MessageAction]

    public init(lines: [[Span]], actions: [MessageAction] = []) {
        self.lines = lines
        self.actions = actions
    }

    /// The message as plain text: the `text` fallback every platform shows in notifications.
    public var plainText: String {
        lines.map { line in
            line.map { span in
                switch span {
                case let .text(s), let .bold(s), let .code(s): s
                case let .mention(user): "@" + user.name
                }
            }.joined()
        }.joined(separator: "\n")
    }
}

/// Who sees a slash-command reply.
public enum ReplyVisibility: String, Sendable, Equatable, Codable {
    /// Everyone in the channel: state changes.
    case inChannel = "in_channel"
    /// Only the person who typed the command: errors, help and private views.
    case ephemeral
}

/// The immediate answer to a slash command.
public struct Reply: Sendable, Equatable {
    public var visibility: ReplyVisibility
    public var message: Message

    public init(_ visibility: ReplyVisibility, _ message: Message) {
        self.visibility = visibility
        self.message = message
    }

    /// An ephemeral reply of plain lines.
    public static func ephemeral(_ lines: String...) -> Reply {
        Reply(.ephemeral, Message(lines: lines.map { [.text($0)] }))
    }
}
