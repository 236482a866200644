import Foundation
import VigilCore
import Yams

/// Decodes one `playbooks/<id>.yaml` into a ``VigilCore/Playbook``, reporting every problem in
/// the file. Checks across files (duplicate ids, types and aliases) are the loader's.
struct PlaybookDecoder {
    let reader: YAMLReader
    /// Severities and categories that `category`, `applies_to` and `when` may name, and that a
    /// type or alias must not be.
    let policy: Policy
    /// Roles a step's `owner` may name.
    let roles: [String]

    static let keys = [
        "id", "type", "aliases", "title", "summary", "category", "applies_to", "keywords", "restricted", "legal", "steps",
    ]
    static let matchKeys = ["categories", "severities"]
    static let stepKeys = [
        "id", "title", "owner", "due", "from", "after", "instructions", "requires", "approval", "when", "blocking",
        "completes_legal", "preserve",
    ]
    static let evidenceKeys = ["name", "description"]

    /// A decoded playbook and the lines of its type words, which the loader needs to point at a
    /// type or alias that another file already claims.
    struct Decoded {
        var playbook: Playbook
        /// The `type:` line, or the `id:` line when the type is the id.
        var typeLine: Int
        /// One line per alias, in order.
        var aliasLines: [Int]
    }

    /// The playbook, with `source` at its `id:` line; `nil` when the file has no usable id. Other
    /// problems are reported and the playbook still returned, so that the cross-file checks see
    /// it. `fileName` is the file's last path component.
    func decode(_ root: Node, fileName: String) -> Decoded? {
        guard let fields = reader.fields(of: root, at: "", known: Self.keys) else { return nil }
        required(["id", "title", "summary"], in: fields, of: root, at: "")
        let id = fields["id"].flatMap { identifier($0, at: "id", kind: "playbook id") }
        if let id, let idNode = fields["id"] { checkFileName(fileName, id: id, at: idNode) }
        let title = text(fields, "title", at: "")
        let summary = text(fields, "summary", at: "")
        let written = fields["applies_to"].flatMap { match($0, at: "applies_to")?.match } ?? IncidentMatch()
        let category = category(fields, legacy: written.categories, root: root)
        required(["steps"], in: fields, of: root, at: "")
        let type = fields["type"].flatMap { identifier($0, at: "type", kind: "type") }
        let aliases = fields["aliases"].map { self.aliases($0, type: type ?? id) } ?? []
        let keywords = fields["keywords"].map(self.keywords) ?? []
        let restricted = fields["restricted"].flatMap { reader.bool($0, at: "restricted") } ?? false
        let legal = fields["legal"].flatMap { reader.legalClock($0, at: "legal") }
        let appliesTo = IncidentMatch(categories: category.map { [$0] } ?? [], severities: written.severities)
        let context = StepContext(appliesTo: appliesTo, hasLegal: fields.keyNode("legal") != nil)
        let decodedSteps = fields["steps"].map { decodeSteps($0, context: context) }
        let steps = decodedSteps?.steps ?? []

        guard let id, let idKey = fields.keyNode("id") else { return nil }
        // A `type:` that is not a word was reported; its place is not taken by the id.
        let typeNode = fields["type"] ?? idKey
        let typeWord = type.map { TypeWord($0, typeNode, .type) } ?? (fields["type"] == nil ? TypeWord(id, idKey, .defaultType) : nil)
        checkTypeWords((typeWord.map { [$0] } ?? []) + aliases.map { TypeWord($0.word, $0.node, .alias) })
        if let category, let decodedSteps, decodedSteps.complete, let stepsKey = fields.keyNode("steps") {
            checkEveryIncidentHasAStep(steps, id: id, category: category, severities: written.severities, at: stepsKey)
        }
        let playbook = Playbook(
            id: id, type: type ?? id, aliases: aliases.map(\.word), title: title ?? "", summary: summary ?? "", appliesTo: appliesTo,
            keywords: keywords, restricted: restricted, legal: legal, steps: steps, source: reader.location(of: idKey))
        return Decoded(playbook: playbook, typeLine: reader.line(of: typeNode), aliasLines: aliases.map { reader.line(of: $0.node) })
    }

    // MARK: - Shared parts

    /// Reports each of `keys` that is absent or empty in `fields`.
    func required(_ keys: [String], in fields: Fields, of node: Node, at path: String) {
        reader.required(keys, in: fields, of: node, at: path)
    }

    /// The trimmed text of `key`; `nil` when absent (reported by `required`), not a string or blank.
    func text(_ fields: Fields, _ key: String, at path: String) -> String? {
        reader.text(fields, key, at: path)
    }

    /// A playbook or step id: lower-case letters, digits and `-`, as typed in `--playbook ID`
    /// and `step done ID`.
    func identifier(_ node: Node, at path: String, kind: String) -> String? {
        guard let text = reader.string(node, at: path) else { return nil }
        guard Self.isIdentifier(text) else {
            reader.error("\(kind) \"\(text)\" must be lowercase letters, digits or -, starting with a letter or digit", at: node)
            return nil
        }
        return text
    }

    /// `^[a-z0-9][a-z0-9-]*$`.
    static func isIdentifier(_ text: String) -> Bool {
        func allowed(_ character: Character) -> Bool { character.isASCII && (character.isLowercase || character.isNumber) }
        guard let first = text.first, allowed(first) else { return false }
        return text.allSatisfy { allowed($0) || $0 == "-" }
    }

    /// `csam.yaml` or `03-csam.yaml` for id `csam` (`.yml` alike): the number orders the files,
    /// and the first playbook that applies is an incident's default.
    private func checkFileName(_ fileName: String, id: String, at node: Node) {
        let ext = fileName.hasSuffix(".yml") ? "yml" : "yaml"
        guard fileName.hasSuffix(".\(ext)") else { return }
        let stem = fileName.dropLast(ext.count + 1)
        if stem == id { return }
        if let dash = stem.firstIndex(of: "-"), dash > stem.startIndex,
           stem[..<dash].allSatisfy({ $0.isASCII && $0.isNumber }), stem[stem.index(after: dash)...] == id {
            return
        }
        reader.error("playbook \"\(id)\" must be in a file named \(id).\(ext) or NN-\(id).\(ext)", at: node)
    }

    // MARK: - Matches

    /// `{categories: [...], severities: [...]}` with names in the policy's spelling, and whether
    /// nothing at all was written in it (`{}`, or empty lists).
    func match(_ node: Node, at path: String) -> (match: IncidentMatch, isEmpty: Bool)? {
        guard let fields = reader.fields(of: node, at: path, known: Self.matchKeys) else { return nil }
        var written = 0
        let categories = fields["categories"].map { node in
            names(node, at: "\(path).categories", kind: "category", known: policy.categories.map(\.name), written: &written)
        } ?? []
        let severities = fields["severities"].map { node in
            names(node, at: "\(path).severities", kind: "severity", known: policy.severities.map(\.name), written: &written)
        } ?? []
        // An unknown key (reported) counts as written: its author meant something.
        let isEmpty = written == 0 && node.mapping?.count == fields.entries.count
        return (IncidentMatch(categories: categories, severities: severities), isEmpty)
    }

    /// A list of known names (case-insensitive, returned as `known` spells them), each once.
    private func names(_ node: Node, at path: String, kind: String, known: [String], written: inout Int) -> [String] {
        guard let items = reader.strings(node, at: path) else {
            written += 1
            return []
        }
        written += items.count
        var names: [String] = []
        for item in items {
            guard let name = known.first(where: { $0.lowercased() == item.text.lowercased() }) else {
                reader.error("unknown \(kind) \"\(item.text)\" in \(path)\(YAMLReader.hint(for: item.text, in: known))", at: item.node)
                continue
            }
            if names.contains(name) {
                reader.error("\(kind) \"\(name)\" is listed twice in \(path)", at: item.node)
                continue
            }
            names.append(name)
        }
        return names
    }
}
