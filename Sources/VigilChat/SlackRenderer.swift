import VigilCore
import VigilJSON

/// Slack: `mrkdwn` sections with a plain `text` fallback, and the message's buttons as
/// `actions` blocks (``SlackRenderer+Actions``).
public struct SlackRenderer: ChatRenderer {
    /// Slack's limits: 50 blocks per message, 3,000 characters per section, 4,000 for `text`.
    static let maxBlocks = 50
    static let maxSectionLength = 3000
    static let maxTextLength = 4000

    public init() {}

    public func replyBody(_ reply: Reply) -> JSONValue {
        .object([("response_type", .string(reply.visibility.rawValue))] + content(reply.message))
    }

    public func webhookBody(_ message: Message) -> JSONValue {
        .object(content(message))
    }

    /// The body that answers a button press through its `response_url`: an in-channel reply (a
    /// state change) replaces the message that carried the button, with the buttons the new
    /// state allows; an ephemeral one (a refusal, a view) is shown to the presser alone and
    /// leaves that message as it was.
    public func pressReplyBody(_ reply: Reply) -> JSONValue {
        switch reply.visibility {
        case .inChannel: .object([("replace_original", true)] + content(reply.message))
        case .ephemeral: .object([("response_type", "ephemeral"), ("replace_original", false)] + content(reply.message))
        }
    }

    func content(_ message: Message) -> [(String, JSONValue)] {
        let text = Self.truncate(Self.escape(message.plainText), to: Self.maxTextLength)
        var sections: [String] = []
        var current = ""
        // Lengths are kept, not recounted: String.count walks every character, and counting the
        // growing section once per line made rendering quadratic.
        var currentCount = 0
        for line in message.lines.map(mrkdwn) {
            // Pack lines into as few sections as fit; one over-long line is cut, not dropped.
            let line = Self.truncate(line, to: Self.maxSectionLength)
            let lineCount = line.count
            if !current.isEmpty, currentCount + 1 + lineCount > Self.maxSectionLength {
                sections.append(current)
                current = ""
                currentCount = 0
            }
            currentCount += current.isEmpty ? lineCount : 1 + lineCount
            current += current.isEmpty ? line : "\n" + line
        }
        if !current.isEmpty { sections.append(current) }
        // The buttons are kept whole; sections give way to them, within Slack's 50 blocks.
        let actionBlocks = Self.actionBlocks(message.actions)
        let sectionRoom = Self.maxBlocks - actionBlocks.count
        if sections.count > sectionRoom {
            sections = Array(sections.prefix(sectionRoom - 1)) + ["… (\(sections.count - sectionRoom + 1) more sections cut)"]
        }
        let blocks = sections.map { section -> JSONValue in
            ["type": "section", "text": ["type": "mrkdwn", "text": .string(section)]]
        }
        return [("text", .string(text)), ("blocks", .array(blocks + actionBlocks))]
    }

    func mrkdwn(_ line: [Span]) -> String {
        line.map { span in
            switch span {
            case let .text(s): Self.escape(s)
            case let .bold(s): s.isEmpty ? "" : "*\(Self.escape(s))*"
            case let .code(s): "`\(Self.escape(s))`"
            case let .mention(user): Self.isSlackID(user.id) ? "<@\(user.id)>" : "@\(Self.escape(user.name))"
            }
        }.joined()
    }

    /// Slack IDs are upper-case letters and digits starting with U or W.
    static func isSlackID(_ id: String) -> Bool {
        guard let first = id.first, first == "U" || first == "W", id.count >= 3 else { return false }
        return id.allSatisfy { ($0.isUppercase || $0.isNumber) && $0.isASCII }
    }

    /// Slack treats `&`, `<` and `>` as control characters in message text.
    static func escape(_ text: String) -> String {
        // By UTF-8 byte: the three characters are ASCII, so no grapheme needs inspecting.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else {
            return text
        }
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output += Array("&amp;".utf8)
            case UInt8(ascii: "<"): output += Array("&lt;".utf8)
            case UInt8(ascii: ">"): output += Array("&gt;".utf8)
            default: output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func truncate(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
