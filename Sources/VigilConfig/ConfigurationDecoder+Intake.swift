import Foundation
import VigilCore
import Yams

/// `intake:` — the endpoints other tools open incidents through.
///
/// ```yaml
/// intake:
///   zendesk:
///     secret: ${ZENDESK_WEBHOOK_SECRET}        # or a list, while rotating
///     after_resolve: reopen                    # or new
///     map:
///       default: {category: moderation, severity: sev3}
///       rules:
///         - {when: {tags: [csam]}, type: csam, severity: sev1}
///         - {when: {priority: urgent, group: Fraud}, category: fraud, severity: sev1}
///   webhook: {secret: ${VIGIL_INTAKE_SECRET}, after_resolve: new}   # whsec_…
/// ```
extension ConfigurationDecoder {
    static let intakeKeys = ["zendesk", "webhook"]
    static let intakeWhenKeys = ["tags", "priority", "group", "fields"]

    func intake(_ node: Node?, policy: Policy) -> IntakeSettings {
        var settings = IntakeSettings()
        guard let node, let fields = reader.fields(of: node, at: "intake", known: Self.intakeKeys) else { return settings }
        if let zendesk = fields["zendesk"],
            let entries = reader.fields(of: zendesk, at: "intake.zendesk", known: ["secret", "map", "after_resolve"])
        {
            let secrets = intakeSecrets(entries["secret"], at: "intake.zendesk", in: zendesk, check: { _ in nil })
            let afterResolve = afterResolve(entries["after_resolve"], at: "intake.zendesk.after_resolve")
            if let mapNode = entries["map"] {
                if let (map, kinds) = intakeMap(mapNode, policy: policy), let secrets {
                    var zendesk = ZendeskIntakeSettings(secrets: secrets, map: map, afterResolve: afterResolve)
                    zendesk.kindLocations = kinds
                    settings.zendesk = zendesk
                }
            } else {
                reader.error(
                    "intake.zendesk needs map: with a default type or category and severity (and rules for tags, priority, group or fields)",
                    at: zendesk)
            }
        }
        if let webhook = fields["webhook"],
            let entries = reader.fields(of: webhook, at: "intake.webhook", known: ["secret", "after_resolve"]),
            let secrets = intakeSecrets(entries["secret"], at: "intake.webhook", in: webhook, check: Self.standardWebhookSecretProblem)
        {
            settings.webhook = WebhookIntakeSettings(
                secrets: secrets, afterResolve: afterResolve(entries["after_resolve"], at: "intake.webhook.after_resolve"))
        }
        return settings
    }

    /// `secret: …` or `secret: [old, new]`: every one non-empty and passing `check`.
    private func intakeSecrets(_ node: Node?, at path: String, in parent: Node, check: (String) -> String?) -> [String]? {
        guard let node else {
            reader.error("\(path) needs secret (the endpoint's signing secret, e.g. from an environment variable)", at: parent)
            return nil
        }
        let written: [(text: String, node: Node)]
        if case .sequence = node {
            guard let list = reader.strings(node, at: "\(path).secret") else { return nil }
            written = list
        } else {
            guard let text = reader.string(node, at: "\(path).secret") else { return nil }
            written = [(text, node)]
        }
        var secrets: [String] = []
        for (text, item) in written {
            let secret = text.trimmingCharacters(in: .whitespaces)
            if secret.isEmpty {
                reader.error("\(path).secret is empty (is its environment variable set?)", at: item)
            } else if let problem = check(secret) {
                reader.error("\(path).secret \(problem)", at: item)
            } else {
                secrets.append(secret)
            }
        }
        if written.isEmpty { reader.error("\(path).secret lists no secret", at: node) }
        return secrets.count == written.count && !secrets.isEmpty ? secrets : nil
    }

    /// Why a Standard Webhooks secret is unusable (`whsec_` then base64), or `nil`. Checked here
    /// and not only at the first delivery: a typo would otherwise refuse every case with a 401.
    static func standardWebhookSecretProblem(_ secret: String) -> String? {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let key = Data(base64Encoded: encoded), key.count >= 16 else {
            return "must be a Standard Webhooks secret: whsec_ followed by the base64 of at least 16 random bytes"
        }
        return nil
    }

    private func afterResolve(_ node: Node?, at path: String) -> IntakeAfterResolve {
        node.flatMap { reader.oneOf($0, at: path, IntakeAfterResolve.self) } ?? .reopen
    }

    /// `map: {default: {…}, rules: [{when: {…}, type|category, severity}, …]}`, with where each
    /// type or category word was written.
    private func intakeMap(_ node: Node, policy: Policy) -> (IntakeMap, [(word: String, field: String, location: SourceLocation)])? {
        let path = "intake.zendesk.map"
        guard let fields = reader.fields(of: node, at: path, known: ["default", "rules"]) else { return nil }
        var kinds: [(word: String, field: String, location: SourceLocation)] = []
        var ok = true
        var defaults = IntakeMap.Result()
        if let defaultNode = fields["default"],
            let result = mapResult(defaultNode, at: "\(path).default", extra: [], policy: policy, kinds: &kinds)
        {
            defaults = result
        } else if fields["default"] != nil {
            ok = false
        }
        if defaults.kind == nil || defaults.severity == nil {
            reader.error(
                "\(path).default needs a type (or category) and a severity: a ticket no rule matches is opened with them",
                at: fields["default"] ?? node)
            ok = false
        }
        var rules: [IntakeMap.Rule] = []
        if let rulesNode = fields["rules"], let items = reader.sequence(rulesNode, at: "\(path).rules") {
            for (index, item) in items.enumerated() {
                let rulePath = "\(path).rules[\(index)]"
                guard let result = mapResult(item, at: rulePath, extra: ["when"], policy: policy, kinds: &kinds),
                    let rule = mapRule(item, at: rulePath, result: result)
                else {
                    ok = false
                    continue
                }
                rules.append(rule)
            }
        }
        return ok ? (IntakeMap(defaults: defaults, rules: rules), kinds) : nil
    }

    /// What a rule or the default sets; severities are checked against `severities:` here, type
    /// words against the playbooks by `vigil check` (which has them).
    private func mapResult(
        _ node: Node, at path: String, extra: [String], policy: Policy,
        kinds: inout [(word: String, field: String, location: SourceLocation)]
    ) -> IntakeMap.Result? {
        guard let fields = reader.fields(of: node, at: path, known: ["type", "category", "severity"] + extra) else { return nil }
        var result = IntakeMap.Result()
        if fields["type"] != nil, fields["category"] != nil {
            reader.error("\(path) gives both type and category; give one", at: node)
            return nil
        }
        for field in ["type", "category"] {
            guard let kindNode = fields[field], let word = reader.string(kindNode, at: "\(path).\(field)") else { continue }
            if field == "category", policy.category(named: word) == nil {
                reader.error(
                    "\(path).category \"\(word)\" is not a category (\(policy.categories.map(\.name).joined(separator: ", ")))",
                    at: kindNode)
                return nil
            }
            result.kind = word
            result.kindField = field
            if field == "type" { kinds.append((word, "\(path).type", reader.location(of: kindNode))) }
        }
        if let severityNode = fields["severity"], let word = reader.string(severityNode, at: "\(path).severity") {
            guard policy.severity(named: word) != nil else {
                reader.error(
                    "\(path).severity \"\(word)\" is not a severity (\(policy.severities.map(\.name).joined(separator: ", ")))",
                    at: severityNode)
                return nil
            }
            result.severity = word
        }
        if !extra.isEmpty, result.kind == nil, result.severity == nil {
            reader.error("\(path) sets nothing: give a type (or category), a severity, or both", at: node)
            return nil
        }
        return result
    }

    /// A rule's `when:` — at least one condition, so no rule silently matches every ticket.
    private func mapRule(_ node: Node, at path: String, result: IntakeMap.Result) -> IntakeMap.Rule? {
        // The rule's keys were reported by `mapResult`; only `when` is read here.
        guard let whenNode = node["when"], !YAMLReader.isNull(whenNode) else {
            reader.error("\(path) needs when: with tags, priority, group or fields (put a catch-all in map.default)", at: node)
            return nil
        }
        guard let when = reader.fields(of: whenNode, at: "\(path).when", known: Self.intakeWhenKeys) else { return nil }
        var rule = IntakeMap.Rule(result: result)
        if let tags = when["tags"] {
            if case .sequence = tags {
                rule.tags = reader.strings(tags, at: "\(path).when.tags")?.map(\.text) ?? []
            } else if let tag = reader.string(tags, at: "\(path).when.tags") {
                rule.tags = [tag]
            }
        }
        rule.priority = when["priority"].flatMap { reader.string($0, at: "\(path).when.priority") }
        rule.group = when["group"].flatMap { reader.string($0, at: "\(path).when.group") }
        if let fieldsNode = when["fields"], case let .mapping(mapping) = fieldsNode {
            for (key, value) in mapping {
                guard let id = key.scalar?.string, let text = reader.string(value, at: "\(path).when.fields.\(id)") else { continue }
                rule.fields[id] = text
            }
        } else if let fieldsNode = when["fields"] {
            reader.error("\(path).when.fields must map custom field ids to values, like {\"360001234\": ncii}", at: fieldsNode)
            return nil
        }
        guard !rule.tags.isEmpty || rule.priority != nil || rule.group != nil || !rule.fields.isEmpty else {
            reader.error("\(path).when has no condition (tags, priority, group or fields)", at: whenNode)
            return nil
        }
        return rule
    }
}
