import Foundation
import VigilCore
import Yams

/// Reads one YAML file's nodes into typed values, recording a ``Diagnostic`` for every problem
/// instead of stopping at the first, so `vigil check` can list them all.
///
/// Used by one decoder on one thread; it is a class only so that helpers can share the log.
final class YAMLReader {
    let file: String
    /// `nil` for files where `${VAR}` is not substituted (command specs).
    private let environment: [String: String]?
    private(set) var diagnostics: [Diagnostic] = []
    /// Advice that does not make the file invalid (an older form that still works).
    private(set) var warnings: [Diagnostic] = []

    init(file: String, environment: [String: String]?) {
        self.file = file
        self.environment = environment
    }

    // MARK: - Reporting

    func error(_ message: String, line: Int) {
        diagnostics.append(Diagnostic(file: file, line: line, message))
    }

    func error(_ message: String, at node: Node) {
        error(message, line: line(of: node))
    }

    func warning(_ message: String, at node: Node) {
        warnings.append(Diagnostic(file: file, line: line(of: node), message))
    }

    /// Yams marks are 1-based.
    func line(of node: Node) -> Int { node.mark?.line ?? 1 }

    func location(of node: Node) -> SourceLocation { SourceLocation(file: file, line: line(of: node)) }

    // MARK: - Parsing

    /// The document's root; an empty document is an empty mapping. `nil` after a syntax error.
    func compose(_ text: String) -> Node? {
        do {
            return try Yams.compose(yaml: EnvironmentSubstitution.protectingReferences(text)) ?? Node([(Node, Node)]())
        } catch let error as YamlError {
            report(error, in: text)
        } catch {
            self.error("cannot read YAML: \(error)", line: 1)
        }
        return nil
    }

    private func report(_ error: YamlError, in text: String) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let detail = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            self.error("invalid YAML: \(problem)\(detail)", line: mark.line)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            self.error("duplicate key \(keys) in one mapping", line: context.mark.line)
        case let .reader(problem, offset, _, _):
            let line = offset.map { text.prefix($0).count(where: { $0 == "\n" }) + 1 } ?? 1
            self.error("cannot read YAML: \(problem)", line: line)
        default:
            self.error("cannot read YAML: \(error)", line: 1)
        }
    }

    // MARK: - Shapes

    /// The entries of a mapping, after reporting keys not in `known`; `nil` (reported) when the
    /// node is not a mapping. `noun` names the keys in messages (`key`, `channel role`).
    func fields(of node: Node, at path: String, known: [String], noun: String = "key") -> Fields? {
        guard case let .mapping(mapping) = node else {
            error("expected a mapping (key: value) for \(Self.name(path)), found \(describe(node))", at: node)
            return nil
        }
        var fields = Fields()
        for (key, value) in mapping {
            guard case let .scalar(scalar) = key else {
                error("keys must be plain words, found \(describe(key)) in \(Self.name(path))", at: key)
                continue
            }
            let name = scalar.string
            guard known.contains(name) else {
                let place = path.isEmpty ? "" : " in \(path)"
                error("unknown \(noun) \"\(name)\"\(place)\(Self.hint(for: name, in: known))", at: key)
                continue
            }
            fields.entries[name] = (key, value)
        }
        return fields
    }

    /// ` (did you mean "x"?)` when a known word is within two edits, else the list of known words.
    static func hint(for word: String, in known: [String]) -> String {
        let close = suggestion(for: word, in: known)
        if !close.isEmpty || known.isEmpty { return close }
        return " (expected one of: \(known.joined(separator: ", ")))"
    }

    /// ` (did you mean "x"?)` when a known word is within two edits, else nothing.
    static func suggestion(for word: String, in known: [String]) -> String {
        let scored = known.map { ($0, Suggestions.editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.filter({ $0.1 <= 2 && $0.1 < max(word.count, 2) }).min(by: { $0.1 < $1.1 }) else {
            return ""
        }
        return " (did you mean \"\(best.0)\"?)"
    }

    /// The elements of a list; `nil` (reported) when the node is not one.
    func sequence(_ node: Node, at path: String) -> [Node]? {
        guard case let .sequence(sequence) = node else {
            error("expected a list for \(Self.name(path)), found \(describe(node))", at: node)
            return nil
        }
        return Array(sequence)
    }

    // MARK: - Scalars

    /// A scalar's text with `${VAR}` replaced (when this file substitutes); `nil` (reported) for
    /// a mapping, a list, an empty value or a missing variable.
    func string(_ node: Node, at path: String) -> String? {
        guard case let .scalar(scalar) = node, !Self.isNull(node) else {
            error("expected a string for \(Self.name(path)), found \(describe(node))", at: node)
            return nil
        }
        let raw = EnvironmentSubstitution.restoringReferences(scalar.string)
        guard let environment else { return raw }
        let (text, failures) = EnvironmentSubstitution.substitute(raw, environment: environment)
        // Block scalars (`|`, `>`) start on the line after their indicator.
        let base = line(of: node) + (scalar.style == .literal || scalar.style == .folded ? 1 : 0)
        for failure in failures {
            switch failure {
            case let .missing(name, offset):
                error("environment variable \(name) is not set (used in \(Self.name(path)))", line: base + offset)
            case let .malformed(reference, offset):
                error(
                    "invalid variable reference \"\(reference)\" in \(Self.name(path)) (write ${NAME}, or $$ for a literal $)",
                    line: base + offset)
            }
        }
        return failures.isEmpty ? text : nil
    }

    /// A whole number in `range`.
    func int(_ node: Node, at path: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            error("expected a whole number for \(Self.name(path)), found \"\(text)\"", at: node)
            return nil
        }
        guard range.contains(value) else {
            error("\(Self.name(path)) must be between \(range.lowerBound) and \(range.upperBound), found \(value)", at: node)
            return nil
        }
        return value
    }

    func bool(_ node: Node, at path: String) -> Bool? {
        guard let text = string(node, at: path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error("expected true or false for \(Self.name(path)), found \"\(text)\"", at: node)
            return nil
        }
    }

    func duration(_ node: Node, at path: String) -> Duration? {
        guard let text = string(node, at: path) else { return nil }
        guard let duration = DurationText.parse(text) else {
            error("invalid duration \"\(text)\" for \(Self.name(path)) (use e.g. 90s, 15m, 4h, 3d, 1h30m)", at: node)
            return nil
        }
        return duration
    }

    /// One of an enum's raw values (`durability: full`), case-insensitive.
    func oneOf<T: RawRepresentable & CaseIterable>(_ node: Node, at path: String, _: T.Type) -> T? where T.RawValue == String {
        guard let text = string(node, at: path) else { return nil }
        if let value = T(rawValue: text.lowercased()) { return value }
        let names = T.allCases.map(\.rawValue)
        error("\(path) must be \(Suggestions.orList(names)), found \"\(text)\"\(Self.suggestion(for: text, in: names))", at: node)
        return nil
    }

    /// A list of strings, each with its node (for locations).
    func strings(_ node: Node, at path: String) -> [(text: String, node: Node)]? {
        guard let items = sequence(node, at: path) else { return nil }
        return items.enumerated().compactMap { index, item in
            string(item, at: "\(path)[\(index)]").map { ($0, item) }
        }
    }

    // MARK: - Words

    /// How a node reads in "found …".
    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case let .scalar(scalar): Self.isNull(node) ? "nothing" : "\"\(EnvironmentSubstitution.restoringReferences(scalar.string))\""
        }
    }

    /// `~`, `null` or an empty value, but not the quoted string `"null"`.
    static func isNull(_ node: Node) -> Bool {
        guard case let .scalar(scalar) = node, scalar.style != .singleQuoted, scalar.style != .doubleQuoted else {
            return false
        }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The top-level mapping has no path; messages call it "the file".
    static func name(_ path: String) -> String { path.isEmpty ? "the file" : path }
}

/// The known keys of one mapping with their key and value nodes.
struct Fields {
    var entries: [String: (key: Node, value: Node)] = [:]

    /// The value of `key`, `nil` when absent or empty (`key:` with nothing after it).
    subscript(key: String) -> Node? {
        guard let value = entries[key]?.value, !YAMLReader.isNull(value) else { return nil }
        return value
    }

    /// The key node itself, for "defined here" locations.
    func keyNode(_ key: String) -> Node? { entries[key]?.key }
}
