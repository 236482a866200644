import Foundation
import VigilCore
import Yams

/// `arguments:` and `options:` of a command spec, and the rules the parser relies on.
extension CommandSpecDecoder {
    func arguments(_ node: Node) -> [(spec: ArgumentSpec, node: Node)] {
        guard let items = reader.sequence(node, at: "arguments") else { return [] }
        var decoded: [(spec: ArgumentSpec, node: Node)] = []
        for (index, item) in items.enumerated() {
            let path = "arguments[\(index)]"
            guard let fields = reader.fields(of: item, at: path, known: Self.argumentKeys),
                  let name = name(fields, item, at: path),
                  let type = type(fields, item, at: path)
            else { continue }
            if type == .flag {
                reader.error("argument \"\(name)\" cannot be a flag: only options (--\(name)) can be", at: item)
                continue
            }
            var argument = ArgumentSpec(name: name, type: type)
            argument.optional = fields["optional"].flatMap { reader.bool($0, at: "\(path).optional") } ?? false
            argument.group = fields["group"].flatMap { reader.string($0, at: "\(path).group") }
            if let valuesNode = fields["values"] {
                if type != .choice {
                    reader.error("values are only used by choice arguments, and \"\(name)\" is a \(type.rawValue)", at: valuesNode)
                } else {
                    argument.values = values(valuesNode, at: "\(path).values")
                }
            } else if type == .choice {
                reader.error("choice argument \"\(name)\" needs values: [...]", at: item)
            }
            if decoded.contains(where: { $0.spec.name == name }) {
                reader.error("argument \"\(name)\" is defined twice", at: item)
                continue
            }
            decoded.append((argument, item))
        }
        checkOrder(decoded)
        return decoded
    }

    func options(_ node: Node) -> [(spec: OptionSpec, node: Node)] {
        guard let items = reader.sequence(node, at: "options") else { return [] }
        var decoded: [(spec: OptionSpec, node: Node)] = []
        for (index, item) in items.enumerated() {
            let path = "options[\(index)]"
            guard let fields = reader.fields(of: item, at: path, known: Self.optionKeys),
                  let name = name(fields, item, at: path),
                  let type = type(fields, item, at: path)
            else { continue }
            if type == .choice || type == .text || type == .subcommand {
                reader.error("option --\(name) cannot be of type \(type.rawValue) (an option takes one value: use word, time, user, …)", at: item)
                continue
            }
            var option = OptionSpec(name: name, type: type)
            option.repeatable = fields["repeatable"].flatMap { reader.bool($0, at: "\(path).repeatable") } ?? false
            option.help = fields["help"].flatMap { reader.string($0, at: "\(path).help") }?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if decoded.contains(where: { $0.spec.name == name }) {
                reader.error("option --\(name) is defined twice", at: item)
                continue
            }
            decoded.append((option, item))
        }
        return decoded
    }

    // MARK: - Parts

    private func name(_ fields: Fields, _ item: Node, at path: String) -> String? {
        guard let node = fields["name"] else {
            reader.error("\(path) needs a name", at: item)
            return nil
        }
        guard let name = reader.string(node, at: "\(path).name") else { return nil }
        guard Self.isLowercaseWord(name) else {
            reader.error("name \"\(name)\" in \(path) must be lowercase letters, digits or -, starting with a letter", at: node)
            return nil
        }
        return name
    }

    private func type(_ fields: Fields, _ item: Node, at path: String) -> ArgumentType? {
        guard let node = fields["type"] else {
            reader.error("\(path) needs a type (\(Self.types.joined(separator: ", ")))", at: item)
            return nil
        }
        guard let text = reader.string(node, at: "\(path).type") else { return nil }
        guard let type = ArgumentType(rawValue: text) else {
            reader.error("unknown type \"\(text)\" for \(path)\(YAMLReader.hint(for: text, in: Self.types))", at: node)
            return nil
        }
        return type
    }

    private func values(_ node: Node, at path: String) -> [String] {
        guard let items = reader.strings(node, at: path) else { return [] }
        var values: [String] = []
        for item in items {
            guard !item.text.isEmpty, !item.text.contains(where: \.isWhitespace) else {
                reader.error("choice value \"\(item.text)\" must be one word", at: item.node)
                continue
            }
            if values.contains(where: { $0.lowercased() == item.text.lowercased() }) {
                reader.error("choice value \"\(item.text)\" is listed twice", at: item.node)
                continue
            }
            values.append(item.text)
        }
        if values.isEmpty, items.isEmpty { reader.error("\(path) must list at least one value", at: node) }
        return values
    }

    /// Text swallows the rest of the line, so it must come last; a required argument cannot
    /// follow an optional one (the parser could not tell which was left out); and arguments of
    /// one group (taken in any order) must be next to each other.
    private func checkOrder(_ arguments: [(spec: ArgumentSpec, node: Node)]) {
        var firstOptional: ArgumentSpec?
        var closedGroups: Set<String> = []
        for (index, (argument, node)) in arguments.enumerated() {
            if argument.type == .text, index != arguments.count - 1 {
                reader.error("text argument \"\(argument.name)\" must be the last argument (it takes the rest of the line)", at: node)
            }
            if let optional = firstOptional, !argument.optional {
                reader.error("required argument \"\(argument.name)\" comes after optional argument \"\(optional.name)\"", at: node)
            }
            if argument.optional, firstOptional == nil { firstOptional = argument }
            if let group = argument.group {
                if closedGroups.contains(group) {
                    reader.error("arguments of group \"\(group)\" must be next to each other", at: node)
                }
                if index + 1 == arguments.count || arguments[index + 1].spec.group != group { closedGroups.insert(group) }
            }
        }
    }
}
