/// Reads `field=value` pairs as typed after `step <id> done`: values may be quoted
/// (`evidence="https://…/case 7"`), straight or typographic.
public enum EvidenceParser {
    public static func parse(_ text: String) throws(UserError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0.isWhitespace }
            guard !rest.isEmpty else { return pairs }
            guard let equals = rest.firstIndex(of: "="), !rest[..<equals].contains(where: \.isWhitespace) else {
                let word = rest.prefix { !$0.isWhitespace }
                throw UserError("“\(word)” is not a field=value pair.")
            }
            let name = String(rest[..<equals]).lowercased()
            guard !name.isEmpty else { throw UserError("A value needs a field name before “=”.") }
            rest = rest[rest.index(after: equals)...]
            let value: String
            if let quote = rest.first, quote == "\"" || quote == "\u{201C}" {
                let body = rest.dropFirst()
                guard let close = body.firstIndex(where: { $0 == "\"" || $0 == "\u{201D}" }) else {
                    throw UserError("The quoted value of \(name) is never closed.")
                }
                value = String(body[..<close])
                rest = body[body.index(after: close)...]
            } else {
                let end = rest.firstIndex(where: \.isWhitespace) ?? rest.endIndex
                value = String(rest[..<end])
                rest = rest[end...]
            }
            guard !pairs.contains(where: { $0.0 == name }) else { throw UserError("\(name) is given twice.") }
            pairs.append((name, Tokenizer.decodeEntities(value)))
        }
    }
}
