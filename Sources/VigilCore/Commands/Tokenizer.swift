import Foundation

/// One word of a slash command's text.
public struct Token: Sendable, Equatable {
    /// The word with its quotes removed and Slack's HTML escapes decoded.
    public var text: String
    /// Where it stood in the original text (quotes included), so a trailing free-text argument
    /// can be taken exactly as typed.
    public var range: Range<String.Index>
    /// Whether it was written in quotes (then it is never an option or a mention).
    public var quoted: Bool
}

/// Splits a command's text into words: white space separates, double quotes (straight or
/// typographic, as macOS substitutes them) group, and Slack's `&amp;`/`&lt;`/`&gt;` are decoded.
///
/// Single quotes are not delimiters: titles such as `creator's payout` are common.
public enum Tokenizer {
    private static let openingQuotes: Set<Character> = ["\"", "\u{201C}", "\u{201E}"]
    private static let closingQuotes: Set<Character> = ["\"", "\u{201D}", "\u{201C}"]

    public static func tokenize(_ text: String) throws(UserError) -> [Token] {
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isWhitespace {
                index = text.index(after: index)
                continue
            }
            let start = index
            if openingQuotes.contains(character) {
                var end = text.index(after: index)
                while end < text.endIndex, !closingQuotes.contains(text[end]) { end = text.index(after: end) }
                guard end < text.endIndex else {
                    throw UserError("The quote opened at “\(text[start...].prefix(20))” is never closed.")
                }
                let inner = String(text[text.index(after: start)..<end])
                index = text.index(after: end)
                tokens.append(Token(text: decodeEntities(inner), range: start..<index, quoted: true))
            } else {
                while index < text.endIndex, !text[index].isWhitespace { index = text.index(after: index) }
                var word = String(text[start..<index])
                // `--known="2026-12-02 05:30 Europe/Paris"`: an option's value may be quoted after
                // its `=`; the quotes group it (spaces included) and are dropped.
                if word.hasPrefix("--"), let equals = text[start..<index].firstIndex(of: "="),
                   text.index(after: equals) < index, openingQuotes.contains(text[text.index(after: equals)])
                {
                    let open = text.index(after: equals)
                    var close = text.index(after: open)
                    while close < text.endIndex, !closingQuotes.contains(text[close]) { close = text.index(after: close) }
                    guard close < text.endIndex else {
                        throw UserError("The quote opened at “\(text[open...].prefix(20))” is never closed.")
                    }
                    word = String(text[start...equals]) + String(text[text.index(after: open)..<close])
                    index = text.index(after: close)
                }
                tokens.append(Token(text: decodeEntities(word), range: start..<index, quoted: false))
            }
        }
        return tokens
    }

    /// Decodes the three escapes Slack applies to user-typed text.
    public static func decodeEntities(_ text: String) -> String {
        // A byte scan: `String.contains` with a string argument goes through Foundation's search,
        // which was a third of the tokenizer's time on commands without any escape.
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
