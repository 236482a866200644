/// `${VAR}` in config strings, replaced from an environment passed in; `$$` is a literal `$`.
///
/// A `$` followed by anything else is kept as typed, so secrets that contain `$` survive.
enum EnvironmentSubstitution {
    /// A reference that could not be replaced, and how many lines into the string it starts.
    enum Failure: Equatable {
        case missing(name: String, lineOffset: Int)
        case malformed(reference: String, lineOffset: Int)
    }

    static func substitute(_ text: String, environment: [String: String]) -> (text: String, failures: [Failure]) {
        guard text.contains("$") else { return (text, []) }
        var output = ""
        var failures: [Failure] = []
        var lineOffset = 0
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\n" { lineOffset += 1 }
            guard character == "$" else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "$" {
                output.append("$")
                index = text.index(after: next)
            } else if next < text.endIndex, text[next] == "{" {
                let nameStart = text.index(after: next)
                guard let close = text[nameStart...].firstIndex(of: "}"), isVariableName(text[nameStart..<close]) else {
                    let end = text[nameStart...].firstIndex(where: { $0 == "}" || $0.isWhitespace }) ?? text.endIndex
                    let stop = end < text.endIndex && text[end] == "}" ? text.index(after: end) : end
                    failures.append(.malformed(reference: String(text[index..<stop]), lineOffset: lineOffset))
                    output += text[index..<stop]
                    index = stop
                    continue
                }
                let name = String(text[nameStart..<close])
                if let value = environment[name] {
                    output += value
                } else {
                    failures.append(.missing(name: name, lineOffset: lineOffset))
                }
                index = text.index(after: close)
            } else {
                output.append("$")
                index = next
            }
        }
        return (output, failures)
    }

    // YAML reads `{` and `}` in a flow mapping as its own brackets, so `slack: {signing_secret:
    // ${SECRET}}`, the form people write on one line, would not parse. Before the YAML is read,
    // a reference's braces become two private-use characters that YAML takes as plain text, and
    // the reader turns them back into braces in every scalar it reads.
    private static let open: Character = "\u{F8F0}"
    private static let close: Character = "\u{F8F1}"

    /// `text` with each well-formed `${NAME}`'s braces protected from the YAML parser (`$$`
    /// stays a literal `$`, and a malformed reference is left for the usual error).
    static func protectingReferences(_ text: String) -> String {
        guard text.contains("${") else { return text }
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            guard character == "$", next < text.endIndex else {
                output.append(character)
                index = next
                continue
            }
            if text[next] == "$" {
                output += "$$"
                index = text.index(after: next)
            } else if text[next] == "{", let end = text[next...].firstIndex(of: "}"),
                isVariableName(text[text.index(after: next)..<end])
            {
                output += "$" + String(open) + text[text.index(after: next)..<end] + String(close)
                index = text.index(after: end)
            } else {
                output.append(character)
                index = next
            }
        }
        return output
    }

    /// A scalar read from protected YAML, with its references' braces back.
    static func restoringReferences(_ text: String) -> String {
        guard text.contains(open) else { return text }
        return String(text.map { $0 == open ? "{" : $0 == close ? "}" : $0 })
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`, the names shells and container runtimes accept.
    private static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
