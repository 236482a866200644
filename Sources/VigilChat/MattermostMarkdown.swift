import VigilCore

/// Escaping for Mattermost's Markdown, so that text renders as typed and notifies no one.
///
/// Mattermost renders posts with its fork of `marked` (web and desktop) and a CommonMark parser
/// (mobile, and the server when it looks for mentions). What this escapes, and why this way:
/// - `` \ ` * _ [ ] | ~ `` get a backslash everywhere. They are in `marked`'s escape set
///   (`` \ ` * { } [ ] ( ) # + - . ! _ > | ~ ``) and CommonMark escapes any ASCII punctuation, so
///   both render the character alone. With `[` and `]` escaped, `[click here](https://evil.example)`
///   and `![img](…)` stay text; links that Vigil does not write are only ever bare URLs, shown in full.
/// - A backslash is doubled unless a letter or digit follows it: `marked` only reads `\\` as an
///   escape when no word character follows, and a backslash before a letter is literal everywhere.
/// - `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`: neither parser has a backslash escape
///   for `<` that the other honours, entities render as the character in both, and an escaped `&`
///   keeps `&#64;channel` from decoding to a mention on the server.
/// - At the start of a line: `#` (heading), `+` and `-` (list, rule) and the `.` or `)` after a
///   number (ordered list) get a backslash; `>` is already an entity.
/// - Every `@` in text is followed by a zero-width joiner (U+200D). The server finds mentions
///   by splitting text into words of letters, digits and `.-_:@` and comparing them with
///   `@channel`, `@all`, `@here` and people's and groups' names (`StandardMentionParser`); the
///   joiner is none of those, so `@channel` becomes the words `@` and `channel` and notifies no
///   one, while it still reads `@channel`. A backslash would not do: the server's parser removes
///   it before it looks. Every `@` rather than only the channel-wide words, because a typed
///   `@security-team` may be a user group that pages many people; the people Vigil means to notify
///   are ``Span/mention(_:)`` spans, which are not escaped.
/// Code spans are left alone inside (the server ignores mentions there) and fenced with more
/// backticks than they contain.
public enum MattermostMarkdown {
    /// Zero-width joiner: invisible, not a letter, so it splits a mention word.
    static let joiner: Unicode.Scalar = "\u{200D}"

    /// Bytes after which nothing needs escaping when none of them occurs (the common case).
    private static let specialBytes: Set<UInt8> = Set("\\`*_[]|~&<>@#+-.)\n".utf8)

    /// `text` escaped for a Markdown post; `atLineStart` when it begins a line.
    public static func escape(_ text: String, atLineStart: Bool) -> String {
        guard text.utf8.contains(where: specialBytes.contains) else { return text }
        return lineStarts.escape(text, atLineStart: atLineStart) { scalars, index, out in
            let scalar = scalars[index]
            switch scalar {
            case "\\":
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                out.append("\\")
                if let next, next.isASCII, next.properties.isAlphabetic || ("0"..."9").contains(next) { return }
                out.append("\\")
            case "`", "*", "_", "[", "]", "|", "~":
                out.append("\\")
                out.append(scalar)
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "@":
                out.append(scalar)
                out.append(joiner)
            default:
                out.append(scalar)
            }
        }
    }

    private static let lineStarts = MarkdownLineStarts(markers: ["#", "+", "-"], afterNumber: [".", ")"])

    /// A code span holding `text` as is: fenced with one backtick more than its longest run of
    /// backticks, and padded with a space where it begins or ends with one.
    public static func code(_ text: String) -> String {
        var longest = 0, run = 0
        for character in text.utf8 {
            run = character == UInt8(ascii: "`") ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
        return fence + pad + text + pad + fence
    }

    /// A mention of the user named `name`: `@name` when it is a plain user name, the name escaped
    /// (and so notifying no one) when it is a channel-wide word or holds anything else.
    public static func mention(_ name: String) -> String {
        let plain =
            !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "_")
            }
        guard plain, ChannelWideMention.named(in: "@" + name) == nil else { return escape("@" + name, atLineStart: false) }
        return "@" + name
    }
}
