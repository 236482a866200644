/// The characters that open a Markdown block (a heading, a list, a quote) only where a line
/// starts, for the escapers of each platform's Markdown (``MattermostMarkdown``,
/// ``DiscordMarkdown``, ``TeamsMarkdown``), which differ in which ones their renderers read and
/// in what they escape inside a line.
struct MarkdownLineStarts {
    /// Escaped when they are the first character of a line after any spaces.
    let markers: Set<Unicode.Scalar>
    /// Escaped right after the digits that open a line, where `1.` or `1)` would start a list.
    let afterNumber: Set<Unicode.Scalar>

    /// `text` with a backslash before each block marker where a line starts; every other
    /// character is handed to `inline` (with the scalars and its index, for the escapes that
    /// look at a neighbour), which appends it as the platform needs.
    func escape(
        _ text: String, atLineStart: Bool,
        inline: (_ scalars: [Unicode.Scalar], _ index: Int, _ out: inout String.UnicodeScalarView) -> Void
    ) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var lineStart = atLineStart
        // Inside the digits that open a line.
        var openingNumber = false
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\n" {
                out.append(scalar)
                lineStart = true
                openingNumber = false
                continue
            }
            if lineStart, scalar == " " {
                out.append(scalar)
                continue
            }
            if lineStart {
                lineStart = false
                if markers.contains(scalar) {
                    out.append("\\")
                    out.append(scalar)
                    continue
                }
                openingNumber = ("0"..."9").contains(scalar)
                if openingNumber {
                    out.append(scalar)
                    continue
                }
            } else if openingNumber {
                if ("0"..."9").contains(scalar) {
                    out.append(scalar)
                    continue
                }
                openingNumber = false
                if afterNumber.contains(scalar) {
                    out.append("\\")
                    out.append(scalar)
                    continue
                }
            }
            inline(scalars, index, &out)
        }
        return String(out)
    }
}
