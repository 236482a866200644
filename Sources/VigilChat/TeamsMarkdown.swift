/// Escaping for the Markdown an Adaptive Card's TextBlock renders in Teams, so that text renders
/// as typed and makes no link its writer did not.
///
/// TextBlocks render a CommonMark subset: `**bold**`, `_italic_` (and `*italic*`), `- ` and `1. `
/// lists, and `[title](url)` links; Teams documents headings, block quotes and code as not
/// supported, but its clients differ, so their markers are escaped too. What this escapes:
/// - `\`, `*`, `_`, `[` and `]` get a backslash everywhere. With `[` and `]` escaped,
///   `[click](https://evil.example)` stays text; a URL someone typed is shown in full.
/// - At the start of a line: `-`, `+`, `#` and `>`, and the `.` or `)` after a number, which
///   would start a list, a heading or a quote.
/// - `{{` gets a zero-width space between its braces: TextBlocks replace `{{DATE(…)}}` and
///   `{{TIME(…)}}` with a formatted date before any Markdown is read.
/// `<`, `>` and `&` need nothing: cards render no HTML, and JSON carries them as they are.
public enum TeamsMarkdown {
    /// Bytes after which nothing needs escaping when none of them occurs (the common case).
    private static let specialBytes: Set<UInt8> = Set("\\*_[]{-+#>.)\n".utf8)

    /// `text` escaped for a TextBlock; `atLineStart` when it begins a line.
    public static func escape(_ text: String, atLineStart: Bool) -> String {
        guard text.utf8.contains(where: specialBytes.contains) else { return text }
        return lineStarts.escape(text, atLineStart: atLineStart) { scalars, index, out in
            let scalar = scalars[index]
            switch scalar {
            case "\\", "*", "_", "[", "]":
                out.append("\\")
                out.append(scalar)
            case "{" where index > 0 && scalars[index - 1] == "{":
                out.append("\u{200B}")
                out.append(scalar)
            default:
                out.append(scalar)
            }
        }
    }

    private static let lineStarts = MarkdownLineStarts(markers: ["-", "+", "#", ">"], afterNumber: [".", ")"])
}
