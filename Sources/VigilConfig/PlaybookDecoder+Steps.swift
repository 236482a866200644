import Foundation
import VigilCore
import Yams

/// `steps:` of a playbook: each step's fields, its evidence and its `when`.
extension PlaybookDecoder {
    /// What a step is checked against besides itself.
    struct StepContext {
        /// The playbook's `applies_to`: a step's `when` must be able to hold within it.
        var appliesTo: IncidentMatch
        /// Whether the playbook has a `legal:` key (`completes_legal` needs one).
        var hasLegal: Bool
    }

    /// The only value `approval:` takes.
    enum Approval: String, CaseIterable {
        case twoPerson = "two-person"
    }

    /// The steps that decoded, in order, and whether every item of `steps:` did: checks over the
    /// whole list would be misled by a missing step.
    func decodeSteps(_ node: Node, context: StepContext) -> (steps: [PlaybookStep], complete: Bool) {
        guard let items = reader.sequence(node, at: "steps") else { return ([], false) }
        guard !items.isEmpty else {
            reader.error("steps must list at least one step", at: node)
            return ([], false)
        }
        var steps: [DecodedStep] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            guard let decoded = step(item, at: "steps[\(index)]", context: context) else { continue }
            let step = decoded.step
            if let first = seen[step.id] {
                reader.error("duplicate step id \"\(step.id)\" (first defined on line \(first))", line: step.source?.line ?? 1)
                continue
            }
            seen[step.id] = step.source?.line ?? 1
            steps.append(decoded)
        }
        return (order(steps), steps.count == items.count)
    }

    /// One step; `nil` when it has no usable id (other problems are reported and the step kept).
    private func step(_ node: Node, at path: String, context: StepContext) -> DecodedStep? {
        guard let fields = reader.fields(of: node, at: path, known: Self.stepKeys) else { return nil }
        required(["id", "title", "instructions", "owner"], in: fields, of: node, at: path)
        let id = fields["id"].flatMap { identifier($0, at: "\(path).id", kind: "step id") }
        let title = text(fields, "title", at: path)
        let instructions = text(fields, "instructions", at: path)
        let owner = fields["owner"].flatMap { role($0, at: "\(path).owner") }
        let due = fields["due"].flatMap { reader.duration($0, at: "\(path).due") }
        let from = fields["from"].flatMap { reader.oneOf($0, at: "\(path).from", ClockStart.self) } ?? .known
        let after = fields["after"].map { self.after($0, at: "\(path).after", step: id) } ?? []
        let requires = fields["requires"].map { evidence($0, at: "\(path).requires", step: path) } ?? []
        let approval = fields["approval"].flatMap { reader.oneOf($0, at: "\(path).approval", Approval.self) }
        let when = fields["when"].flatMap { node in
            condition(node, at: "\(path).when", reportedAt: fields.keyNode("when") ?? node, appliesTo: context.appliesTo)
        }
        let blocking = fields["blocking"].flatMap { reader.bool($0, at: "\(path).blocking") } ?? false
        let completesLegal = fields["completes_legal"].flatMap { reader.bool($0, at: "\(path).completes_legal") } ?? false
        if completesLegal, !context.hasLegal, let flag = fields["completes_legal"] {
            reader.error("\(path).completes_legal is true but the playbook has no legal clock (add legal: or remove it)", at: flag)
        }
        let preserve = fields["preserve"].flatMap { preservation($0, at: "\(path).preserve") }
        guard let id, let idKey = fields.keyNode("id") else { return nil }
        let step = PlaybookStep(
            id: id, title: title ?? "", instructions: instructions ?? "", owner: owner ?? "", due: due, dueFrom: from,
            requires: requires, twoPersonApproval: approval == .twoPerson, when: when, blocking: blocking,
            completesLegal: completesLegal, after: after.map(\.id), preserve: preserve, source: reader.location(of: idKey))
        return DecodedStep(step: step, path: path, after: after, afterKey: fields.keyNode("after"))
    }

    /// `preserve: {for: 1y, from: completed, what: …, law: …}`: a ledger entry when the step is done.
    private func preservation(_ node: Node, at path: String) -> PreservationRule? {
        guard let fields = reader.fields(of: node, at: path, known: ["for", "from", "what", "law"]) else { return nil }
        guard let periodNode = fields["for"] else {
            reader.error("\(path) needs for: how long to keep it, like 1y, 6mo or 90d", at: node)
            return nil
        }
        guard let text = reader.string(periodNode, at: "\(path).for") else { return nil }
        guard let period = PreservationPeriod(parsing: text) else {
            reader.error("\(path).for must be a period like 1y, 6mo, 90d or 2w, found \"\(text)\"", at: periodNode)
            return nil
        }
        let from = fields["from"].flatMap { reader.oneOf($0, at: "\(path).from", PreservationRule.Start.self) } ?? .completed
        return PreservationRule(
            period: period, from: from, what: fields["what"].flatMap { reader.string($0, at: "\(path).what") },
            law: fields["law"].flatMap { reader.string($0, at: "\(path).law") })
    }

    /// A role from `roles` (case-insensitive, returned as `roles` spells it).
    private func role(_ node: Node, at path: String) -> String? {
        guard let text = reader.string(node, at: path) else { return nil }
        if let role = roles.first(where: { $0.lowercased() == text.lowercased() }) { return role }
        reader.error("unknown role \"\(text)\" for \(path)\(YAMLReader.hint(for: text, in: roles))", at: node)
        return nil
    }

    /// `requires: [{name, description}]`: the `field=value` evidence completing the step takes.
    private func evidence(_ node: Node, at path: String, step: String) -> [EvidenceField] {
        guard let items = reader.sequence(node, at: path) else { return [] }
        var fields: [EvidenceField] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let entry = reader.fields(of: item, at: itemPath, known: Self.evidenceKeys) else { continue }
            required(["name", "description"], in: entry, of: item, at: itemPath)
            let description = text(entry, "description", at: itemPath)
            guard let nameNode = entry["name"], let name = reader.string(nameNode, at: "\(itemPath).name") else { continue }
            guard Self.isFieldName(name) else {
                let rule = "must be lowercase letters, digits or _, starting with a letter"
                reader.error("evidence field name \"\(name)\" in \(itemPath) \(rule)", at: nameNode)
                continue
            }
            if let first = seen[name] {
                reader.error("duplicate evidence field \"\(name)\" in \(step) (first defined on line \(first))", at: nameNode)
                continue
            }
            seen[name] = reader.line(of: nameNode)
            if let description { fields.append(EvidenceField(name: name, description: description)) }
        }
        return fields
    }

    /// `^[a-z][a-z0-9_]*$`: the `field` typed in `field=value`.
    static func isFieldName(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLowercase else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }

    /// A step's `when`, which must name something and be able to hold for some incident the
    /// playbook applies to.
    private func condition(_ node: Node, at path: String, reportedAt key: Node, appliesTo: IncidentMatch) -> IncidentMatch? {
        guard let (match, isEmpty) = match(node, at: path) else { return nil }
        if isEmpty {
            reader.error("\(path) is empty (give categories or severities, or remove when to apply the step to every incident)", at: key)
            return nil
        }
        let pairs = [("categories", match.categories, appliesTo.categories), ("severities", match.severities, appliesTo.severities)]
        for (name, mine, playbook) in pairs where !mine.isEmpty && !playbook.isEmpty && Set(mine).isDisjoint(with: playbook) {
            let listed = mine.joined(separator: ", "), allowed = playbook.joined(separator: ", ")
            reader.error("\(path) can never hold: none of its \(name) (\(listed)) is in applies_to.\(name) (\(allowed))", at: key)
        }
        return match
    }
}
