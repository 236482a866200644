import VigilCore
import VigilJSON

/// Mattermost: Markdown `text`; mentions by user name. Every text span is escaped
/// (``MattermostMarkdown``), so what a user typed renders as typed and notifies no one.
///
/// A message's buttons are interactive-message buttons (`attachments[0].actions`), posted back
/// to `{public_url}/mattermost/actions` with the command and its MAC in their context
/// (``MattermostActionMAC``). They need both `public_url` and the slash command's token; without
/// them a message has no buttons and renders exactly as before.
public struct MattermostRenderer: ChatRenderer {
    /// Mattermost splits posts over 16,383 characters; stay under it.
    static let maxTextLength = 16_000
    /// Where presses go, below `public_url`: the path ``MattermostAdapter`` serves them at.
    public static let actionsPath = "/mattermost/actions"

    /// Where a button posts its press, and what proves the press is Vigil's button.
    public struct Buttons: Sendable {
        var url: String
        var mac: MattermostActionMAC

        /// - Parameters:
        ///   - publicURL: where Mattermost reaches Vigil (`public_url`).
        ///   - token: the slash command's token (`mattermost.token`), which keys the MAC.
        public init(publicURL: String, token: String) {
            url = (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + MattermostRenderer.actionsPath
            mac = MattermostActionMAC(token: token)
        }
    }

    let buttons: Buttons?

    /// - Parameter buttons: `nil` renders no buttons.
    public init(buttons: Buttons? = nil) {
        self.buttons = buttons
    }

    public func replyBody(_ reply: Reply) -> JSONValue {
        .object(
            [("response_type", .string(reply.visibility.rawValue)), ("text", .string(markdown(reply.message)))] + attachments(reply.message)
        )
    }

    public func webhookBody(_ message: Message) -> JSONValue {
        .object([("text", .string(markdown(message)))] + attachments(message))
    }

    /// The answer to a button press: an in-channel reply (a state change) updates the post that
    /// carried the button, its buttons always given (an empty list clears the old ones); an
    /// ephemeral one (a refusal, a view) is shown to the presser alone.
    public func pressReplyBody(_ reply: Reply) -> JSONValue {
        switch reply.visibility {
        case .inChannel:
            let props: JSONValue = ["attachments": [["actions": .array(actions(reply.message.actions))]]]
            return ["update": ["message": .string(markdown(reply.message)), "props": props]]
        case .ephemeral:
            return ["ephemeral_text": .string(markdown(reply.message))]
        }
    }

    private func attachments(_ message: Message) -> [(String, JSONValue)] {
        let actions = actions(message.actions)
        return actions.isEmpty ? [] : [("attachments", [["actions": .array(actions)]])]
    }

    /// One button per action; none without ``Buttons``. The context holds the command and its
    /// MAC, nothing else of the message.
    func actions(_ actions: [MessageAction]) -> [JSONValue] {
        guard let buttons else { return [] }
        var seen: Set<String> = []
        return actions.enumerated().map { index, action in
            // Mattermost routes a press by the button's id, which must be letters and digits;
            // two names that differ only in punctuation get the index to stay apart.
            var id = String(action.name.unicodeScalars.filter { $0.isASCII && $0.properties.isAlphabetic || ("0"..."9").contains($0) })
            if id.isEmpty || !seen.insert(id).inserted { id += "x\(index)" }
            let style =
                switch action.style {
                case .primary: "primary"
                case .danger: "danger"
                case .plain: "default"
                }
            return [
                "id": .string(id), "name": .string(action.label), "type": "button", "style": .string(style),
                "integration": [
                    "url": .string(buttons.url),
                    "context": ["command": .string(action.command), "mac": .string(buttons.mac.mac(command: action.command))],
                ],
            ]
        }
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
