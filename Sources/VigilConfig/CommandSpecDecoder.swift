import Foundation
import VigilCore
import Yams

/// Decodes one `commands/<name>.yaml` into a ``VigilCore/CommandSpec``, reporting every problem
/// in the file. Checks across files (duplicate names and aliases) are the loader's.
struct CommandSpecDecoder {
    let reader: YAMLReader

    /// A decoded spec with where its name and aliases were written.
    struct Decoded {
        var spec: CommandSpec
        var nameLine: Int
        var aliasLines: [Int]
    }

    static let keys = ["name", "aliases", "summary", "usage", "help", "examples", "arguments", "options", "role"]
    static let argumentKeys = ["name", "type", "optional", "group", "values"]
    static let optionKeys = ["name", "type", "repeatable", "help"]
    static let types = ArgumentType.allCases.map(\.rawValue)

    /// `nil` when the file has no usable name; other problems are reported and the spec still
    /// returned, so that cross-file checks see it.
    func decode(_ root: Node, expectedName: String) -> Decoded? {
        guard let fields = reader.fields(of: root, at: "", known: Self.keys) else { return nil }
        for key in ["name", "summary", "usage"] where fields[key] == nil {
            reader.error("missing required key \"\(key)\"", at: fields.keyNode(key) ?? root)
        }
        guard let nameNode = fields["name"], let name = word(nameNode, at: "name", isAlias: false) else {
            return nil
        }
        if name != expectedName {
            reader.error("command \"\(name)\" must be in a file named \(name).yaml", at: nameNode)
        }
        var aliases: [String] = []
        var aliasLines: [Int] = []
        if let node = fields["aliases"], let items = reader.strings(node, at: "aliases") {
            for (index, item) in items.enumerated() {
                guard let alias = word(item.node, text: item.text, at: "aliases[\(index)]", isAlias: true) else { continue }
                if alias == name || aliases.contains(alias) {
                    reader.error("alias \"\(alias)\" is listed twice for \(name)", at: item.node)
                    continue
                }
                aliases.append(alias)
                aliasLines.append(reader.line(of: item.node))
            }
        }
        let summary = fields["summary"].flatMap { reader.string($0, at: "summary") }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let usage = fields["usage"].flatMap { reader.string($0, at: "usage") }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let help = fields["help"].flatMap { reader.string($0, at: "help") }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let arguments = fields["arguments"].map(arguments) ?? []
        let options = fields["options"].map(options) ?? []
        let examples = fields["examples"].flatMap { reader.strings($0, at: "examples") } ?? []
        let roles = fields["role"].map(roles) ?? [.responder]

        if let usageNode = fields["usage"], !usage.isEmpty {
            checkUsage(usage, at: usageNode, arguments: arguments, options: options)
        }
        for example in examples {
            let first = example.text.split(separator: " ").first.map { $0.lowercased() } ?? ""
            if first != name, !aliases.contains(first) {
                reader.error("example \"\(example.text)\" must start with \(name) or one of its aliases (without /incident)", at: example.node)
            }
        }
        let spec = CommandSpec(
            name: name, aliases: aliases, summary: summary, usage: usage, help: help,
            examples: examples.map(\.text), arguments: arguments.map(\.spec), options: options.map(\.spec),
            roles: roles, source: SourceLocation(file: reader.file, line: reader.line(of: fields.keyNode("name") ?? nameNode)))
        return Decoded(spec: spec, nameLine: spec.source?.line ?? 1, aliasLines: aliasLines)
    }

    // MARK: - Role

    /// `role: lead` or `role: [lead, legal]` (any one of them may run the command); `anyone`
    /// stands alone. An unknown role is reported with the known ones. The shipped specs all
    /// declare one; a spec without `role:` is for responders, never for anyone.
    private func roles(_ node: Node) -> [Role] {
        let items: [(text: String, node: Node)]
        if case .sequence = node {
            items = reader.strings(node, at: "role") ?? []
        } else {
            items = reader.string(node, at: "role").map { [($0, node)] } ?? []
        }
        var roles: [Role] = []
        for item in items {
            guard let role = Role(rawValue: item.text) else {
                let known = Role.allCases.map(\.rawValue)
                reader.error("unknown role \"\(item.text)\"\(YAMLReader.hint(for: item.text, in: known))", at: item.node)
                continue
            }
            if !roles.contains(role) { roles.append(role) }
        }
        if roles.contains(.anyone), roles.count > 1 {
            reader.error("role anyone cannot be combined with other roles", at: node)
            return [.anyone]
        }
        if items.isEmpty { reader.error("role must name at least one role", at: node) }
        return roles.isEmpty ? [.responder] : roles
    }

    // MARK: - Words

    /// A lowercase word: what the parser matches typed words against. Aliases may also be
    /// punctuation such as `?`.
    private func word(_ node: Node, text: String? = nil, at path: String, isAlias: Bool) -> String? {
        guard let text = text ?? reader.string(node, at: path) else { return nil }
        if isAlias {
            guard !text.isEmpty, !text.hasPrefix("-"), !text.contains(where: { $0.isWhitespace || $0.isUppercase }) else {
                reader.error("alias \"\(text)\" must be one lowercase word without spaces", at: node)
                return nil
            }
        } else if !Self.isLowercaseWord(text) {
            reader.error("command name \"\(text)\" must be lowercase letters, digits or -, starting with a letter", at: node)
            return nil
        }
        return text
    }

    static func isLowercaseWord(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLowercase else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    // MARK: - Usage

    /// The usage line is what users see on every mistake: it must show every argument (by name,
    /// or a choice by its values) and every option.
    private func checkUsage(_ usage: String, at node: Node, arguments: [(spec: ArgumentSpec, node: Node)], options: [(spec: OptionSpec, node: Node)]) {
        let words = Set(usage.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }).map { $0.lowercased() })
        for argument in arguments.map(\.spec) {
            let shown = words.contains(argument.name.lowercased())
                || (argument.type == .choice && !argument.values.isEmpty && argument.values.allSatisfy { words.contains($0.lowercased()) })
            if !shown {
                reader.error("usage does not mention argument \"\(argument.name)\"", at: node)
            }
        }
        for option in options.map(\.spec) where !words.contains("--\(option.name)") {
            reader.error("usage does not mention option --\(option.name)", at: node)
        }
    }
}
