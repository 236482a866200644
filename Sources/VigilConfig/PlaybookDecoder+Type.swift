import Foundation
import VigilCore
import Yams

/// What kind of incident a playbook is for: its one `category`, its `type` word and `aliases`
/// (typed in `open <severity> <type|category>`), its `keywords` and whether it is `restricted`.
///
/// ```yaml
/// id: tco-removal
/// type: tco
/// aliases: [terrorist-content]
/// category: compliance
/// keywords: [terrorist, removal order]
/// restricted: false
/// ```
extension PlaybookDecoder {
    // MARK: - Category

    /// The playbook's one category, in the policy's spelling: `category:`, or the older
    /// `applies_to: {categories: [x]}` with exactly one entry, which means the same. `nil` when
    /// there is none or it is wrong (reported).
    ///
    /// - Parameter legacy: the known categories `applies_to.categories` named (unknown ones and
    ///   repeats were reported and left out).
    func category(_ fields: Fields, legacy: [String], root: Node) -> String? {
        let appliesTo = fields["applies_to"]
        let legacyKey = appliesTo.flatMap { Self.entry("categories", in: $0) }
        // Written, even if every name in it was wrong (those were reported one by one).
        let legacyWritten = appliesTo.flatMap { Self.entry("categories", in: $0, value: true) }
            .map { node in node.sequence.map { !$0.isEmpty } ?? !YAMLReader.isNull(node) } ?? false
        if let node = fields["category"] {
            if legacyWritten, let legacyKey {
                reader.error(
                    "the category is given twice, by category: and by applies_to.categories; remove applies_to.categories",
                    at: legacyKey)
            }
            return knownCategory(node)
        }
        if legacy.count == 1 { return legacy[0] }
        if legacy.count > 1, let legacyKey {
            reader.error(
                "applies_to.categories names \(legacy.count) categories, but a playbook has exactly one: write category: with one "
                    + "of them (and a playbook per category)", at: legacyKey)
        } else if !legacyWritten {
            let names = Suggestions.orList(policy.categories.map(\.name))
            reader.error("missing required key \"category\" (add category: with one of \(names))", at: root)
        }
        return nil
    }

    /// A category of the policy (case-insensitive, returned as the policy spells it).
    private func knownCategory(_ node: Node) -> String? {
        guard let text = reader.string(node, at: "category") else { return nil }
        let names = policy.categories.map(\.name)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let name = names.first(where: { $0.lowercased() == trimmed.lowercased() }) { return name }
        reader.error("unknown category \"\(text)\" for category\(YAMLReader.hint(for: trimmed, in: names))", at: node)
        return nil
    }

    /// The key node (or, with `value`, the value node) of `key` in a mapping node.
    static func entry(_ key: String, in mapping: Node, value: Bool = false) -> Node? {
        guard let pair = mapping.mapping?.first(where: { $0.key.scalar?.string == key }) else { return nil }
        return value ? pair.value : pair.key
    }

    // MARK: - Type words

    /// `aliases: [terrorist-content, …]`: words like the type, none twice and none the type.
    func aliases(_ node: Node, type: String?) -> [(word: String, node: Node)] {
        guard let items = reader.sequence(node, at: "aliases") else { return [] }
        var aliases: [(word: String, node: Node)] = []
        for (index, item) in items.enumerated() {
            guard let word = identifier(item, at: "aliases[\(index)]", kind: "alias") else { continue }
            if word == type {
                reader.error("alias \"\(word)\" is the playbook's type already", at: item)
            } else if aliases.contains(where: { $0.word == word }) {
                reader.error("alias \"\(word)\" is listed twice in aliases", at: item)
            } else {
                aliases.append((word, item))
            }
        }
        return aliases
    }

    /// A type or alias with where it was written, for collision checks.
    struct TypeWord {
        enum Kind { case type, defaultType, alias }
        var word: String
        var node: Node
        var kind: Kind

        init(_ word: String, _ node: Node, _ kind: Kind) {
            self.word = word
            self.node = node
            self.kind = kind
        }

        /// `type "tco"`, `alias "tc"`, or `type "fraud" (the playbook id, as there is no type:)`.
        var described: String {
            switch kind {
            case .type: "type \"\(word)\""
            case .defaultType: "type \"\(word)\" (the playbook id, as there is no type:)"
            case .alias: "alias \"\(word)\""
            }
        }
    }

    /// `open sev1 fraud …` takes a severity and a type or category in either order, so a type
    /// word that is also a category or severity name could not be told apart from it.
    func checkTypeWords(_ words: [TypeWord]) {
        for word in words {
            let fix = word.kind == .defaultType ? " (add type: with another word)" : ""
            if let category = policy.category(named: word.word) {
                reader.error(
                    "\(word.described) is also the name of the category \(category.name); `open` could not tell them apart\(fix)",
                    at: word.node)
            } else if let severity = policy.severity(named: word.word) {
                reader.error(
                    "\(word.described) is also the name of the severity \(severity.name); `open` could not tell them apart\(fix)",
                    at: word.node)
            }
        }
    }

    // MARK: - Keywords

    /// `keywords: [card testing, bin attack]`: phrases looked for in titles, stored lowercased.
    func keywords(_ node: Node) -> [String] {
        guard let items = reader.sequence(node, at: "keywords") else { return [] }
        var keywords: [String] = []
        for (index, item) in items.enumerated() {
            let path = "keywords[\(index)]"
            guard let text = reader.string(item, at: path) else { continue }
            let keyword = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if keyword.isEmpty {
                reader.error("\(path) is empty", at: item)
            } else if keywords.contains(keyword) {
                reader.error("keyword \"\(keyword)\" is listed twice in keywords", at: item)
            } else {
                keywords.append(keyword)
            }
        }
        return keywords
    }

    // MARK: - Incidents without a step

    /// Reports the severities the playbook is for at which every step's `when` leaves the
    /// incident out: the playbook would attach with nothing to do, and a legal clock it carries
    /// could never be met.
    ///
    /// When that is every severity, each step's `when` can never hold, which was reported at
    /// the step (with one category, a `when` that can hold at all holds for some severity).
    func checkEveryIncidentHasAStep(_ steps: [PlaybookStep], id: String, category: String, severities: [String], at key: Node) {
        let all = severities.isEmpty ? policy.severities.map(\.name) : severities
        let bare = all.filter { severity in
            !steps.contains { $0.when?.matches(category: category, severity: severity) ?? true }
        }
        guard !bare.isEmpty, bare.count < all.count else { return }
        reader.error(
            "playbook \(id) has no step for \(Suggestions.orList(bare)) incidents (every step's when leaves them out; "
                + "widen a step's when, or limit applies_to.severities)", at: key)
    }
}
