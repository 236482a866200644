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

    /// `[A-Za-z_][A-Za-z0-9_]*`, the names shells and container runtimes accept.
    private static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
