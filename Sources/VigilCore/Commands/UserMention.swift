/// Recognises the three ways a person is named in chat and config.
public enum UserMention {
    /// Parses `<@U123|name>` (Slack, escaped), `<@U123>` (Slack, ID only), `<@29:1a2b…|name>`
    /// (Teams, as its adapter writes a mention) or `@name`.
    ///
    /// Returns `nil` for anything else, including a bare word: a user must be marked as one.
    public static func parse(_ token: String) -> UserRef? {
        if token.hasPrefix("<@"), token.hasSuffix(">"), token.count > 3 {
            let inner = token.dropFirst(2).dropLast()
            let parts = inner.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            let id = String(parts[0])
            guard isID(id) else { return nil }
            let name = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : id
            return UserRef(id: id, name: name)
        }
        if token.hasPrefix("@"), token.count > 1 {
            let name = String(token.dropFirst())
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else { return nil }
            return UserRef(id: name, name: name)
        }
        return nil
    }

    /// Letters, digits, `_`, `-` and `.`, and `:` after the first character (Teams IDs are
    /// `29:1a2b…`). Never `platform:…` with a platform Vigil knows: a mention is stored with its
    /// ID as is when its platform is unknown, and a stored `slack:U0BOSS` reads back as that Slack
    /// account (``UserRef/init(storedID:name:)``), so a typed `<@slack:U0BOSS>` would become one.
    static func isID(_ id: String) -> Bool {
        guard let first = id.first, first != ":" else { return false }
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." || $0 == ":" }) else { return false }
        return Identity(parsing: id) == nil
    }
}
