/// How a ticket's fields become an incident's type (or category) and severity: config
/// `intake.zendesk.map`. Rules are tried in order; the first whose every condition holds gives
/// its type or category and its severity, and what it leaves out comes from the defaults.
///
/// ```yaml
/// map:
///   default: {category: moderation, severity: sev3}
///   rules:
///     - {when: {tags: [csam]}, type: csam, severity: sev1}
///     - {when: {priority: urgent, group: Fraud}, category: fraud, severity: sev1}
///     - {when: {fields: {"360001234": ncii}}, type: ncii}
/// ```
public struct IntakeMap: Sendable, Equatable {
    /// One rule: conditions, all of which must hold, and what it sets.
    public struct Rule: Sendable, Equatable {
        /// Tags the ticket must all carry (case-insensitive).
        public var tags: [String]
        /// The ticket's priority (`urgent`, `high`, …), case-insensitive.
        public var priority: String?
        /// The ticket's group name, case-insensitive.
        public var group: String?
        /// Custom field values by field id, compared case-insensitively.
        public var fields: [String: String]
        public var result: Result

        public init(tags: [String] = [], priority: String? = nil, group: String? = nil, fields: [String: String] = [:], result: Result) {
            self.tags = tags
            self.priority = priority
            self.group = group
            self.fields = fields
            self.result = result
        }

        func matches(_ ticket: IntakeTicketFields) -> Bool {
            let carried = Set(ticket.tags.map { $0.lowercased() })
            guard tags.allSatisfy({ carried.contains($0.lowercased()) }) else { return false }
            if let priority, ticket.priority?.lowercased() != priority.lowercased() { return false }
            if let group, ticket.group?.lowercased() != group.lowercased() { return false }
            for (id, value) in fields where ticket.fields[id]?.lowercased() != value.lowercased() { return false }
            return true
        }
    }

    /// What a rule (or the defaults) sets: a type or a category, and a severity.
    public struct Result: Sendable, Equatable {
        /// A playbook's type (`csam`) or a category (`fraud`), as `open` takes either.
        public var kind: String?
        /// Whether `kind` was written as `type:` or `category:`, for refusals.
        public var kindField: String
        public var severity: String?

        public init(kind: String? = nil, kindField: String = "type", severity: String? = nil) {
            self.kind = kind
            self.kindField = kindField
            self.severity = severity
        }
    }

    public var defaults: Result
    public var rules: [Rule]

    public init(defaults: Result = Result(), rules: [Rule] = []) {
        self.defaults = defaults
        self.rules = rules
    }

    /// The type or category and severity for `ticket`: the first matching rule's, completed by
    /// the defaults.
    public func classify(_ ticket: IntakeTicketFields) -> Result {
        var result = defaults
        if let rule = rules.first(where: { $0.matches(ticket) }) {
            if let kind = rule.result.kind {
                result.kind = kind
                result.kindField = rule.result.kindField
            }
            if let severity = rule.result.severity { result.severity = severity }
        }
        return result
    }
}

/// The fields of a ticket that an ``IntakeMap`` looks at.
public struct IntakeTicketFields: Sendable, Equatable {
    public var tags: [String]
    public var priority: String?
    public var group: String?
    /// Custom field values by field id.
    public var fields: [String: String]

    public init(tags: [String] = [], priority: String? = nil, group: String? = nil, fields: [String: String] = [:]) {
        self.tags = tags
        self.priority = priority
        self.group = group
        self.fields = fields
    }
}
