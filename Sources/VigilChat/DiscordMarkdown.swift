import VigilCore

/// Escaping for Discord's Markdown, so that text renders as typed, links only where Vigil wrote
/// them, and notifies no one.
///
/// Discord's parser (simple-markdown, with Discord's rules) treats a backslash before any ASCII
/// punctuation as an escape, so the escape is the same everywhere:
/// - `` \ * _ ~ ` | [ ] < > `` get a backslash everywhere: emphasis, strike-through, code,
///   spoilers, masked links `[text](url)` and `<@id>`/`<#id>`/`<t:…>` mention syntax.
/// - At the start of a line, `#` (heading), `-` and `*` (list), `>` (quote) and the `.` after a
///   number (ordered list) get a backslash.
/// - `@everyone` and `@here` are not escaped: the posts and replies Vigil sends carry
///   `allowed_mentions: {parse: []}`, which is what keeps them from notifying anyone (a
///   backslash would not, and Discord shows it). Only ``Span/mention(_:)`` spans ping, by id.
public enum DiscordMarkdown {
    private static let specialBytes: Set<UInt8> = Set("\\*_~`|[]<>#-.\n".utf8)

    /// `text` escaped; `atLineStart` when it begins a line.
    public static func escape(_ text: String, atLineStart: Bool) -> String {
        guard text.utf8.contains(where: specialBytes.contains) else { return text }
        return lineStarts.escape(text, atLineStart: atLineStart) { scalars, index, out in
            let scalar = scalars[index]
            switch scalar {
            case "\\", "*", "_", "~", "`", "|", "[", "]", "<", ">":
                out.append("\\")
                out.append(scalar)
            default:
                out.append(scalar)
            }
        }
    }

    private static let lineStarts = MarkdownLineStarts(markers: ["#", "-"], afterNumber: ["."])

    /// A code span holding `text`: Discord's code spans end at the first run of backticks as
    /// long as the fence, so the fence is one longer than the longest run inside, and padded
    /// where the text begins or ends with one.
    public static func code(_ text: String) -> String {
        MattermostMarkdown.code(text)
    }

    /// A mention that pings: `<@id>` for a Discord user id (a snowflake: digits only); anyone
    /// else (a person known on another platform, or by name only) is written `@name`, escaped.
    public static func mention(_ user: UserRef) -> String {
        if let id = pingableID(user) { return "<@\(id)>" }
        return escape("@" + user.name, atLineStart: false)
    }

    /// The Discord user id a mention of `user` pings, or `nil` when it pings no one.
    static func pingableID(_ user: UserRef) -> String? {
        guard user.platform == "discord" || user.platform == nil, (15...25).contains(user.id.utf8.count),
            user.id.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return user.id
    }
}
