/// Text for HTML: what Vigil's own pages (the dashboard, the Teams command page) put between
/// tags and inside quoted attributes.
enum HTML {
    /// `text` with `& < > " '` escaped, safe in element content and in quoted attribute values.
    static func escape(_ text: some StringProtocol) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
