import VigilCore
import VigilJSON

/// Microsoft Teams: an Adaptive Card of TextBlocks, one per line, for outgoing-webhook replies
/// and Workflows ("Post to a channel when a webhook request is received") posts alike.
///
/// Every text span is escaped (``TeamsMarkdown``), so what a user typed renders as typed.
/// Mentions are plain `@name` text: a card pings someone only through `msteams.entities`, which
/// Vigil does not write, so **a Teams post notifies no one**; on-call paging over Teams is only
/// as loud as the channel's own notification settings.
///
/// Teams has no private replies: a reply's visibility is ignored, and everyone in the thread
/// sees it (``TeamsAdapter`` marks its invocations so the core renders them as shared views).
///
/// Nor can a Workflows post or an outgoing webhook's reply send a press back to Vigil, so a
/// message's buttons become links (`Action.OpenUrl`) to `{public_url}/act?command=…`, the page
/// that shows the command to type; without `public_url` a card has no actions.
public struct TeamsRenderer: ChatRenderer {
    /// The card schema version, one for replies and Workflows posts. The cards use nothing newer
    /// than 1.0 (TextBlock, `wrap`, `spacing`); 1.4 is what Teams documents for bot replies, and
    /// Workflows renders it too (protocols.md's Workflows example says 1.2 only as an example).
    public static let cardVersion = "1.4"
    static let contentType = "application/vnd.microsoft.card.adaptive"
    static let schema = "http://adaptivecards.io/schemas/adaptive-card.json"
    /// Teams refuses a message over about 28 KB, to bots and webhooks alike. The card's
    /// TextBlocks may take 20,000 bytes of JSON between them (counting each block's own keys),
    /// which leaves room for the envelope and the summary whatever the text's script.
    static let maxBodyBytes = 20_000
    /// Past a hundred lines a card is a wall nobody reads in a thread; the rest is cut with a note.
    static let maxBlocks = 100
    /// What a TextBlock's own JSON costs besides its text: `{"type":"TextBlock","text":"",…}`.
    static let blockOverhead = 64
    /// The summary is for notifications and the activity feed, which show a line or two.
    static let maxSummaryLength = 500

    /// Teams shows at most six card-level actions (its host config's `maxActions`); more are
    /// left out rather than hidden behind an overflow menu some clients lack.
    static let maxActions = 6
    /// Where a button's link points, below `public_url`.
    public static let actPath = "/act"

    /// `{public_url}` without a trailing slash; `nil` renders no actions.
    let publicURL: String?

    /// - Parameter publicURL: where people's browsers reach Vigil (`public_url`); `nil`: no buttons.
    public init(publicURL: String? = nil) {
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// The synchronous answer to an outgoing webhook. The plain-text fallback goes in `summary`,
    /// not `text`: Teams posts a message's `text` and its card as two separate messages, so a
    /// fallback in `text` would show every reply twice.
    public func replyBody(_ reply: Reply) -> JSONValue {
        [
            "type": "message",
            "summary": .string(SlackRenderer.truncate(reply.message.plainText, to: Self.maxSummaryLength)),
            "attachments": [["contentType": .string(Self.contentType), "content": card(reply.message)]],
        ]
    }

    /// The body a Workflows webhook takes (protocols.md §4.2).
    public func webhookBody(_ message: Message) -> JSONValue {
        ["type": "message", "attachments": [["contentType": .string(Self.contentType), "contentUrl": nil, "content": card(message)]]]
    }

    /// The Adaptive Card for `message`: one TextBlock per line, within ``maxBlocks`` and
    /// ``maxBodyBytes``; lines past either are replaced by a note saying how many were cut.
    func card(_ message: Message) -> JSONValue {
        let lines = message.lines.flatMap { markdown($0).split(separator: "\n").map(String.init) }
        // Room kept for the note whenever more lines follow the one being placed.
        let reserve = Self.jsonBytes(Self.cutNote(lines.count)) + Self.blockOverhead
        var texts: [String] = []
        var spent = 0
        var index = 0
        while index < lines.count {
            let isLast = index == lines.count - 1
            let cost = Self.jsonBytes(lines[index]) + Self.blockOverhead
            if texts.count < Self.maxBlocks - (isLast ? 0 : 1), spent + cost + (isLast ? 0 : reserve) <= Self.maxBodyBytes {
                texts.append(lines[index])
                spent += cost
                index += 1
                continue
            }
            // One over-long first line is cut rather than dropped, so a card is never empty.
            if texts.isEmpty {
                texts.append(Self.cut(lines[index], toBytes: Self.maxBodyBytes - Self.blockOverhead - (isLast ? 0 : reserve)))
                index += 1
            }
            break
        }
        if index < lines.count { texts.append(Self.cutNote(lines.count - index)) }
        let blocks = texts.enumerated().map { Self.textBlock($1, first: $0 == 0) }
        var card: [(String, JSONValue)] = [
            ("$schema", .string(Self.schema)), ("type", "AdaptiveCard"), ("version", .string(Self.cardVersion)), ("body", .array(blocks)),
        ]
        let actions = actions(message.actions)
        if !actions.isEmpty { card.append(("actions", .array(actions))) }
        return .object(card)
    }

    /// Each button as a link to the page that shows its command (`Action.OpenUrl`, in Adaptive
    /// Cards since 1.0; `style`, since 1.2). The link holds the command and nothing else.
    func actions(_ actions: [MessageAction]) -> [JSONValue] {
        guard let publicURL else { return [] }
        return actions.prefix(Self.maxActions).map { action in
            var link: [(String, JSONValue)] = [
                ("type", "Action.OpenUrl"), ("title", .string(action.label)),
                ("url", .string(publicURL + Self.actPath + "?command=" + FormBody.percentEncode(action.command))),
            ]
            switch action.style {
            case .primary: link.append(("style", "positive"))
            case .danger: link.append(("style", "destructive"))
            case .plain: break
            }
            return .object(link)
        }
    }

    static func cutNote(_ count: Int) -> String { "… (\(count) more line\(count == 1 ? "" : "s") cut)" }

    static func textBlock(_ text: String, first: Bool) -> JSONValue {
        // Lines of one message read as one paragraph, without the default gap between blocks.
        first
            ? ["type": "TextBlock", "text": .string(text), "wrap": true]
            : ["type": "TextBlock", "text": .string(text), "wrap": true, "spacing": "None"]
    }

    /// One line as TextBlock Markdown. Newlines inside a text span stay (each line becomes its
    /// own block); bold, code and mentions are kept on one line so their markers stay paired.
    func markdown(_ line: [Span]) -> String {
        var out = ""
        for span in line {
            switch span {
            case let .text(s): out += TeamsMarkdown.escape(s, atLineStart: out.isEmpty || out.hasSuffix("\n"))
            case let .bold(s): out += Self.bold(Self.oneLine(s))
            case let .code(s): out += "`" + TeamsMarkdown.escape(Self.oneLine(s), atLineStart: false) + "`"
            case let .mention(user): out += "@" + TeamsMarkdown.escape(Self.oneLine(user.name), atLineStart: false)
            }
        }
        return out
    }

    /// `**text**`, with white space at either end moved outside the markers: `**Deadlines met: **`
    /// is not bold in CommonMark, and shows its asterisks.
    static func bold(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else {
            return text
        }
        let inner = TeamsMarkdown.escape(String(text[first...last]), atLineStart: false)
        return String(text[..<first]) + "**" + inner + "**" + String(text[text.index(after: last)...])
    }

    static func oneLine(_ text: String) -> String {
        text.contains("\n") ? text.replacingOccurrences(of: "\n", with: " ") : text
    }

    /// What `text` costs as a JSON string's contents: its UTF-8 bytes, plus the backslash JSON
    /// adds before each `"` and `\`, and the `\u00XX` it writes for a control character.
    static func jsonBytes(_ text: String) -> Int {
        var count = 0
        for byte in text.utf8 {
            count += byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") ? 2 : byte < 0x20 ? 6 : 1
        }
        return count
    }

    /// `text` cut to at most `limit` bytes of JSON, at a character, with `…` at the end.
    static func cut(_ text: String, toBytes limit: Int) -> String {
        var kept = ""
        var spent = jsonBytes("…")
        for character in text {
            let cost = jsonBytes(String(character))
            guard spent + cost <= limit else { break }
            kept.append(character)
            spent += cost
        }
        // A backslash left at the end would escape the ellipsis's place, not a character.
        var trailing = 0
        for character in kept.reversed() {
            guard character == "\\" else { break }
            trailing += 1
        }
        if trailing % 2 == 1 { kept.removeLast() }
        return kept + "…"
    }
}
