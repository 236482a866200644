import Foundation
import VigilCore
import Yams

/// The keys that make up the core's ``VigilCore/Policy``: `id_prefix`, `timezone`, `digest`,
/// `severities` and `categories` here; `oncall` in `ConfigurationDecoder+Oncall.swift`,
/// `escalation` and `escalation_repeats` in `ConfigurationDecoder+Escalation.swift`; `people` and
/// `roles` in `ConfigurationDecoder+People.swift`; `owners` in `ConfigurationDecoder+Owners.swift`;
/// `known_max_age` and `playbook_choice` here.
extension ConfigurationDecoder {
    func policy(_ top: Fields) -> Policy {
        let defaults = Policy.defaults
        let severities = top["severities"].flatMap(severities) ?? defaults.severities
        let categories = top["categories"].flatMap(categories) ?? defaults.categories
        checkNoOverlap(severities: top["severities"], categories: top["categories"])
        let oncall = top["oncall"].map(oncall) ?? OncallDecoding(schedules: [], names: [])
        let escalation = escalation(top["escalation"], schedules: oncall.names)
        let repeats = top["escalation_repeats"].flatMap { escalationRepeats($0, escalation: escalation) } ?? 0
        let timeZone = top["timezone"].flatMap(timeZone) ?? defaults.timeZone
        let people = top["people"].map(people) ?? PeopleDirectory()
        var policy = Policy(
            idPrefix: top["id_prefix"].flatMap(idPrefix) ?? defaults.idPrefix,
            severities: severities,
            categories: categories,
            escalationLevels: escalation?.levels ?? Policy.defaultLevels,
            escalationRepeats: repeats,
            oncall: oncall.schedules,
            timeZone: timeZone,
            digest: top["digest"].flatMap { digest($0, defaultZone: timeZone) },
            people: people,
            roles: top["roles"].map { roles($0, people: people) } ?? RoleAssignments())
        if let limit = top["known_max_age"].flatMap(knownMaxAge) { policy.knownMaxAge = limit }
        if let approval = top["oncall_overrides"].flatMap(oncallOverrideApproval) { policy.oncallOverrideApproval = approval }
        if let node = top["owners"] {
            let ownerNames = VigilConfiguration.playbookRoles(roleNames: roleNames(top["roles"]))
            policy.owners = owners(node, ownerNames: ownerNames, schedules: oncall.names, people: people, roles: policy.roles)
        }
        // Durations are never zero (`0m` does not parse), so any that reads is a usable interval.
        if let choice = top["playbook_choice"].flatMap({ reader.duration($0, at: "playbook_choice") }) { policy.playbookChoice = choice }
        return policy
    }

    /// `known_max_age: 30d`: how far back `--known` may reach, from one minute to 366 days.
    func knownMaxAge(_ node: Node) -> Duration? {
        guard let limit = reader.duration(node, at: "known_max_age") else { return nil }
        guard limit >= .seconds(60), limit <= .seconds(366 * 86_400) else {
            reader.error("known_max_age must be between 1m and 366d, found \(DurationText.configForm(limit))", at: node)
            return nil
        }
        return limit
    }

    /// `digest: "09:00 America/Los_Angeles"` (the zone defaults to `timezone`).
    func digest(_ node: Node, defaultZone: TimeZone) -> DigestSchedule? {
        guard let text = reader.string(node, at: "digest") else { return nil }
        switch DigestSchedule.parse(text, defaultZone: defaultZone) {
        case let .success(schedule): return schedule
        case let .failure(error):
            reader.error("digest: \(error)", at: node)
            return nil
        }
    }

    func idPrefix(_ node: Node) -> String? {
        guard let text = reader.string(node, at: "id_prefix") else { return nil }
        guard (1...10).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            reader.error("id_prefix must be 1 to 10 letters or digits (like INC or TS), found \"\(text)\"", at: node)
            return nil
        }
        return text
    }

    func timeZone(_ node: Node) -> TimeZone? {
        guard let text = reader.string(node, at: "timezone") else { return nil }
        if let zone = TimeZone(identifier: text) { return zone }
        reader.unknownTimeZone(text, for: "timezone", at: node)
        return nil
    }

    // MARK: - Named lists

    func severities(_ node: Node) -> [Severity]? {
        let entries = namedEntries(node, at: "severities", kind: "severity", known: ["name", "ack", "resolve", "warn", "repeat"])
        guard !entries.isEmpty else { return nil }
        return entries.map { entry in
            let path = "severities[\(entry.index)]"
            return Severity(
                name: entry.name,
                ack: entry.fields["ack"].flatMap { reader.duration($0, at: "\(path).ack") },
                resolve: entry.fields["resolve"].flatMap { reader.duration($0, at: "\(path).resolve") },
                warn: entry.fields["warn"].map { warnings($0, at: "\(path).warn") } ?? [],
                repeat: entry.fields["repeat"].flatMap { reader.duration($0, at: "\(path).repeat") })
        }
    }

    /// `warn: 75%` or `warn: [50%, 90%]`: fractions of a clock's span, each from 1 % to 99 %,
    /// strictly ascending. Wrong ones are reported and left out.
    func warnings(_ node: Node, at path: String) -> [Double] {
        let items: [(text: String, node: Node, path: String)]
        if case .sequence = node {
            items = (reader.sequence(node, at: path) ?? []).enumerated().compactMap { index, item in
                let itemPath = "\(path)[\(index)]"
                return reader.string(item, at: itemPath).map { ($0, item, itemPath) }
            }
        } else {
            items = reader.string(node, at: path).map { [($0, node, path)] } ?? []
        }
        var fractions: [Double] = []
        var previous: (fraction: Double, text: String)?
        for item in items {
            guard let percent = Self.percentage(item.text) else {
                reader.error("invalid percentage \"\(item.text)\" for \(item.path) (use 1% to 99%, e.g. 75%)", at: item.node)
                continue
            }
            let fraction = percent / 100
            if let previous, fraction <= previous.fraction {
                reader.error("\(path) must be in ascending order, found \(item.text) after \(previous.text)", at: item.node)
                continue
            }
            previous = (fraction, item.text)
            fractions.append(fraction)
        }
        return fractions
    }

    /// `75%` → 75, `12.5 %` → 12.5; `nil` unless a plain number from 1 to 99 followed by `%`.
    static func percentage(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("%") else { return nil }
        let number = trimmed.dropLast().trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            number.first != ".", number.last != ".", number.count(where: { $0 == "." }) <= 1,
            let value = Double(number), (1...99).contains(value)
        else { return nil }
        return value
    }

    func categories(_ node: Node) -> [VigilCore.Category]? {
        let entries = namedEntries(node, at: "categories", kind: "category", known: ["name", "restricted", "legal"])
        guard !entries.isEmpty else { return nil }
        return entries.map { entry in
            let path = "categories[\(entry.index)]"
            let restricted = entry.fields["restricted"].flatMap { reader.bool($0, at: "\(path).restricted") }
            let legal = entry.fields["legal"].flatMap { reader.legalClock($0, at: "\(path).legal") }
            return VigilCore.Category(name: entry.name, restricted: restricted ?? false, legal: legal)
        }
    }

    /// A name both a severity and a category would make `open fraud sev1` ambiguous, since the
    /// two may come in either order.
    private func checkNoOverlap(severities: Node?, categories: Node?) {
        guard let severities, let categories else { return }
        let severityNames = Set(names(in: severities).map(\.name))
        for (name, node) in names(in: categories) where severityNames.contains(name) {
            reader.error("\"\(name)\" is both a severity and a category; `open` could not tell them apart", at: node)
        }
    }

    /// The lowercased `name:` values of a list of mappings, with their nodes.
    private func names(in list: Node) -> [(name: String, node: Node)] {
        guard case let .sequence(items) = list else { return [] }
        return items.compactMap { item in
            guard let pair = item.mapping?.first(where: { $0.key.scalar?.string == "name" }),
                let text = pair.value.scalar?.string
            else { return nil }
            return (text.lowercased(), pair.value)
        }
    }

    /// One entry of a list of `{name: …, …}` mappings.
    struct NamedEntry {
        var index: Int
        var name: String
        var fields: Fields
        /// The entry's mapping, for "needs …" messages.
        var node: Node
    }

    /// The entries of a list of named mappings, reporting a list that is empty, entries without
    /// a name, names that are not one word (they are typed in chat) and duplicates.
    func namedEntries(_ node: Node, at path: String, kind: String, known: [String], singleWord: Bool = true) -> [NamedEntry] {
        guard let items = reader.sequence(node, at: path) else { return [] }
        guard !items.isEmpty else {
            reader.error("\(path) must list at least one \(kind) (or leave \(path) out for the defaults)", at: node)
            return []
        }
        var entries: [NamedEntry] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let fields = reader.fields(of: item, at: itemPath, known: known) else { continue }
            guard let nameNode = fields["name"] else {
                reader.error("\(itemPath) needs a name", at: item)
                continue
            }
            guard let name = reader.string(nameNode, at: "\(itemPath).name") else { continue }
            if singleWord, name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                reader.error("\(kind) name \"\(name)\" must be one word of letters, digits, - or _ (it is typed in chat)", at: nameNode)
                continue
            }
            if !singleWord, name.trimmingCharacters(in: .whitespaces).isEmpty {
                reader.error("\(itemPath).name is empty", at: nameNode)
                continue
            }
            if let first = seen[name.lowercased()] {
                reader.error("duplicate \(kind) \"\(name)\" (first defined on line \(first))", at: nameNode)
                continue
            }
            seen[name.lowercased()] = reader.line(of: nameNode)
            entries.append(NamedEntry(index: index, name: name, fields: fields, node: item))
        }
        return entries
    }
}
