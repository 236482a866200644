import VigilCore

/// Turns the `text` of a Teams message, which is HTML and opens with the mention that called
/// the outgoing webhook (`<at>Vigil</at> ack INC-1`), into the command text the core parses
/// (`ack INC-1`).
///
/// The result follows Slack's convention, which the core's tokenizer decodes: a `&`, `<` or `>`
/// the user typed stays `&amp;`, `&lt;` or `&gt;`, so it can never be read as markup, and the only
/// literal `<@…>` in the result is a mention written here from an entity Teams sent.
///
/// - The *first* `<at>…</at>` is dropped, whatever its name: it is the webhook's, and the
///   webhook is named by whoever created it ("Vigil" is only the usual name).
/// - Every later `<at>Name</at>` becomes `<@ID|Name>` from the `mention` entity Teams sent for
///   it, or `@Name` when there is none. Names may hold spaces, which become `_` so that a
///   mention stays one word.
/// - `&nbsp;` and U+00A0 become spaces; `<p>`, `<div>` and `<br>` end a line, and other tags
///   are dropped with their text kept.
/// - The result is trimmed, and a leading `/incident` or `incident` (people type it out of habit)
///   is dropped.
public enum TeamsMessageText {
    /// A `mention` entity of the activity: who an `<at>…</at>` in the text names.
    public struct Mention: Sendable, Equatable {
        /// The mention as it stands in the text, `<at>Ava</at>`.
        public var text: String
        /// The account's Teams ID, `29:1a2b…`.
        public var id: String
        /// The account's display name.
        public var name: String

        public init(text: String, id: String, name: String) {
            self.text = text
            self.id = id
            self.name = name
        }
    }

    /// The command text of a message's `text`, with `mentions` its activity's mention entities.
    public static func command(_ html: String, mentions: [Mention]) -> String {
        var scanner = Scanner(scalars: Array(html.unicodeScalars), mentions: mentions)
        let text = trimmed(scanner.run())
        for prefix in ["/incident", "incident"] {
            guard text.count >= prefix.count, text.prefix(prefix.count).lowercased() == prefix else { continue }
            let rest = text.dropFirst(prefix.count)
            if let next = rest.first, !next.isWhitespace { continue }
            return trimmed(String(rest))
        }
        return text
    }

    static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(text[first...last])
    }

    /// Tags that end a line of the message.
    static let lineTags: Set<String> = ["p", "div", "br"]

    // MARK: - Scanning

    /// One pass over the text's scalars, writing the command text.
    private struct Scanner {
        let scalars: [Unicode.Scalar]
        let mentions: [Mention]
        /// Entities already matched to an `<at>` (Teams lists them in the order of the text, so
        /// two people with one display name are told apart by position).
        var used = Set<Int>()
        var sawFirstMention = false
        /// The last search for `</at>`: from where, and what it found. A later search from a
        /// point before what it found finds the same, and after a miss finds nothing, so a text
        /// of many unclosed `<at>` is still read in linear time.
        var lastClosing: (from: Int, found: Int?)?

        init(scalars: [Unicode.Scalar], mentions: [Mention]) {
            self.scalars = scalars
            self.mentions = mentions
        }

        mutating func run() -> String {
            var out = String.UnicodeScalarView()
            var index = 0
            while index < scalars.count {
                let scalar = scalars[index]
                switch scalar {
                case "<":
                    guard let close = tagEnd(from: index) else {
                        out.append(contentsOf: "&lt;".unicodeScalars)
                        index += 1
                        continue
                    }
                    let name = tagName(index + 1..<close)
                    if name == "at", let end = closingAt(after: close) {
                        let source = String(String.UnicodeScalarView(scalars[index..<end + 5]))
                        let written = mention(source: source, inner: close + 1..<end)
                        if sawFirstMention { out.append(contentsOf: written.unicodeScalars) }
                        sawFirstMention = true
                        index = end + 5
                        continue
                    }
                    if TeamsMessageText.lineTags.contains(name.hasPrefix("/") ? String(name.dropFirst()) : name) { out.append("\n") }
                    index = close + 1
                case "&":
                    index = entity(at: index, into: &out)
                case ">":
                    out.append(contentsOf: "&gt;".unicodeScalars)
                    index += 1
                case "\u{00A0}":
                    out.append(" ")
                    index += 1
                default:
                    out.append(scalar)
                    index += 1
                }
            }
            return String(out)
        }

        /// The index of the `>` that closes a tag opening at `start`, or `nil` when what follows
        /// the `<` is not a tag (then the `<` is text). A `<` before the `>` ends the search even
        /// inside quotes, so every scalar is looked at a bounded number of times.
        func tagEnd(from start: Int) -> Int? {
            var index = start + 1
            if index < scalars.count, scalars[index] == "/" { index += 1 }
            guard index < scalars.count, scalars[index].properties.isAlphabetic, scalars[index].isASCII else { return nil }
            var quote: Unicode.Scalar?
            while index < scalars.count {
                let scalar = scalars[index]
                if let open = quote {
                    if scalar == open { quote = nil }
                } else if scalar == "\"" || scalar == "'" {
                    quote = scalar
                } else if scalar == ">" {
                    return index
                }
                if scalar == "<" { return nil }
                index += 1
            }
            return nil
        }

        /// `p`, `/p`, `br`, `at`: the tag's name, lower-cased, with its `/` if it closes.
        func tagName(_ range: Range<Int>) -> String {
            var name = ""
            for scalar in scalars[range] {
                guard scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || (name.isEmpty && scalar == "/")
                else { break }
                name.unicodeScalars.append(scalar)
            }
            return name.lowercased()
        }

        /// The index of the `<` of the first `</at>` after `start`, if there is one.
        mutating func closingAt(after start: Int) -> Int? {
            if let last = lastClosing, start >= last.from, last.found.map({ start < $0 }) ?? true { return last.found }
            let closing: [Unicode.Scalar] = ["<", "/", "a", "t", ">"]
            var index = start + 1
            var found: Int?
            while index + closing.count <= scalars.count {
                if zip(scalars[index..<index + closing.count], closing).allSatisfy({ $0.properties.lowercaseMapping == String($1) }) {
                    found = index
                    break
                }
                index += 1
            }
            lastClosing = (start, found)
            return found
        }

        /// The command text for the `<at>` mention `source`, whose name spans `inner`.
        mutating func mention(source: String, inner: Range<Int>) -> String {
            var nameScanner = Scanner(scalars: Array(scalars[inner]), mentions: [])
            nameScanner.sawFirstMention = true
            let typed = TeamsMessageText.oneWord(TeamsMessageText.trimmed(nameScanner.run()))
            guard let match = mentions.indices.first(where: { !used.contains($0) && mentions[$0].text == source }) else {
                return typed.isEmpty ? "" : "@" + typed
            }
            used.insert(match)
            let entity = mentions[match]
            // Only an ID the core reads back exactly as sent; anything else stays a name.
            guard UserMention.parse("<@\(entity.id)>")?.id == entity.id else { return typed.isEmpty ? "" : "@" + typed }
            let name = TeamsMessageText.oneWord(TeamsMessageText.escaped(TeamsMessageText.trimmed(entity.name)))
            let shown = name.isEmpty ? typed : name
            return shown.isEmpty ? "<@\(entity.id)>" : "<@\(entity.id)|\(shown)>"
        }

        /// Decodes the character reference at `start` into `out` and returns where scanning
        /// goes on. `&amp;`, `&lt;` and `&gt;` stay as they are (the tokenizer decodes them);
        /// a `&` that starts no reference Teams would write is a typed one, written `&amp;`.
        func entity(at start: Int, into out: inout String.UnicodeScalarView) -> Int {
            var end = start + 1
            while end < scalars.count, end - start <= 10, scalars[end] != ";", scalars[end] != "&" { end += 1 }
            guard end < scalars.count, scalars[end] == ";" else {
                out.append(contentsOf: "&amp;".unicodeScalars)
                return start + 1
            }
            let name = String(String.UnicodeScalarView(scalars[start + 1..<end]))
            let decoded: Unicode.Scalar?
            switch name {
            case "amp", "lt", "gt":
                out.append(contentsOf: "&\(name);".unicodeScalars)
                return end + 1
            case "quot": decoded = "\""
            case "apos": decoded = "'"
            case "nbsp": decoded = " "
            default: decoded = Self.numericReference(name)
            }
            guard let decoded else {
                out.append(contentsOf: "&amp;".unicodeScalars)
                return start + 1
            }
            out.append(contentsOf: TeamsMessageText.escaped(String(decoded == "\u{00A0}" ? " " : decoded)).unicodeScalars)
            return end + 1
        }

        /// `#39` or `#x27` as the scalar it names; `nil` for anything else, NUL included.
        static func numericReference(_ name: String) -> Unicode.Scalar? {
            guard name.hasPrefix("#") else { return nil }
            var digits = name.dropFirst()
            var radix = 10
            if digits.first == "x" || digits.first == "X" {
                digits = digits.dropFirst()
                radix = 16
            }
            guard !digits.isEmpty, digits.count <= 7, digits.allSatisfy(\.isHexDigit), let value = UInt32(digits, radix: radix), value != 0
            else { return nil }
            return Unicode.Scalar(value)
        }
    }

    /// `&`, `<` and `>` as the tokenizer's escapes, so text from an entity or a character
    /// reference is read as typed.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A display name as one word: each run of white space becomes `_`.
    static func oneWord(_ name: String) -> String {
        var out = ""
        var inSpace = false
        for character in name {
            if character.isWhitespace {
                if !inSpace { out += "_" }
                inSpace = true
            } else {
                out.append(character)
                inSpace = false
            }
        }
        return out
    }
}
