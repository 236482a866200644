import VigilCore
import VigilJSON

/// Mattermost: Markdown `text`; mentions by user name. Every text span is escaped
/// (``MattermostMarkdown``), so what a user typed renders as typed and notifies no one.
public struct MattermostRenderer: ChatRenderer {
    /// Mattermost splits posts over 16,383 characters; stay under it.
    static let maxTextLength = 16_000

    public init() {}

    public func replyBody(_ reply: Reply) -> JSONValue {
        ["response_type": .string(reply.visibility.rawValue), "text": .string(markdown(reply.message))]
    }

    public func webhookBody(_ message: Message) -> JSONValue {
        ["text": .string(markdown(message))]
    }

    func markdown(_ message: Message) -> String {
        let text = message.lines.map { line in
            var lineStart = true
            return line.map { span in
                defer { lineStart = false }
                switch span {
                case let .text(s): return MattermostMarkdown.escape(s, atLineStart: lineStart)
                case let .bold(s): return s.isEmpty ? "" : "**\(MattermostMarkdown.escape(s, atLineStart: false))**"
                case let .code(s): return MattermostMarkdown.code(s)
                case let .mention(user): return MattermostMarkdown.mention(user.name)
                }
            }.joined()
        }.joined(separator: "\n")
        return SlackRenderer.truncate(text, to: Self.maxTextLength)
    }
}
