import Foundation

/// Where a deadline is measured from.
public enum ClockStart: String, Sendable, Hashable, CaseIterable {
    /// When the team learned of the incident (`known_at`); legal clocks usually run from here.
    case known
    /// When the incident was opened in Vigil.
    case opened
    /// When the step itself opened: its playbook attached, or the last step it comes `after`
    /// was settled. Only for steps.
    case start
}

/// A legal or regulatory deadline a playbook (or a category) carries.
public struct LegalClock: Sendable, Hashable {
    /// The rule's short name, shown in every alert: "NCMEC CyberTipline report".
    public var rule: String
    /// Its citation: "18 U.S.C. §2258A(a)".
    public var citation: String
    public var due: Duration
    public var from: ClockStart

    public init(rule: String, citation: String, due: Duration, from: ClockStart = .known) {
        self.rule = rule
        self.citation = citation
        self.due = due
        self.from = from
    }
}

/// Which incidents a playbook (or a step's `when`) is for. Empty lists mean "any".
public struct IncidentMatch: Sendable, Hashable {
    public var categories: [String]
    public var severities: [String]

    public init(categories: [String] = [], severities: [String] = []) {
        self.categories = categories
        self.severities = severities
    }

    public func matches(category: String, severity: String) -> Bool {
        (categories.isEmpty || categories.contains(category)) && (severities.isEmpty || severities.contains(severity))
    }
}

/// A piece of evidence a step's completer must give: `report_number=…`.
public struct EvidenceField: Sendable, Hashable {
    /// The `field` in `field=value`: lower-case letters, digits and `_`.
    public var name: String
    /// What to give, shown when it is missing: "CyberTipline report number".
    public var description: String

    public init(name: String, description: String) {
        self.name = name
        self.description = description
    }
}

/// One step of a playbook.
public struct PlaybookStep: Sendable, Hashable {
    public var id: String
    public var title: String
    /// Chat markdown shown when the step is posted or asked for.
    public var instructions: String
    /// The role expected to do it: responder, lead, legal, …
    public var owner: String
    /// The deadline, if the step has one, and where it runs from.
    public var due: Duration?
    public var dueFrom: ClockStart
    public var requires: [EvidenceField]
    /// A second, different person must approve before the step counts as done.
    public var twoPersonApproval: Bool
    /// The step applies only to incidents matching this.
    public var when: IncidentMatch?
    /// Resolve is refused while this step is not done.
    public var blocking: Bool
    /// Completing this step meets the playbook's legal clock.
    public var completesLegal: Bool
    /// The steps (by id, same playbook) that must be done or skipped before this one opens.
    /// Empty: it opens when its playbook attaches, in parallel with the others.
    public var after: [String]
    /// Completing the step records a preservation ledger entry kept this long.
    public var preserve: PreservationRule?
    public var source: SourceLocation?

    public init(
        id: String, title: String, instructions: String, owner: String, due: Duration? = nil, dueFrom: ClockStart = .known,
        requires: [EvidenceField] = [], twoPersonApproval: Bool = false, when: IncidentMatch? = nil, blocking: Bool = false,
        completesLegal: Bool = false, after: [String] = [], preserve: PreservationRule? = nil, source: SourceLocation? = nil
    ) {
        self.id = id
        self.title = title
        self.instructions = instructions
        self.owner = owner
        self.due = due
        self.dueFrom = dueFrom
        self.requires = requires
        self.twoPersonApproval = twoPersonApproval
        self.when = when
        self.blocking = blocking
        self.completesLegal = completesLegal
        self.after = after
        self.preserve = preserve
        self.source = source
    }

    /// Whether the step applies to an incident of this severity and category.
    public func applies(to incident: Incident) -> Bool {
        when?.matches(category: incident.category, severity: incident.severity) ?? true
    }
}

/// A step-by-step SOP from `playbooks/`, reviewed in git like code.
///
/// Its `type` is the word a responder types where the category goes (`open sev1 tco …`): it
/// names the kind of incident, and so the category, the playbook, its legal clock and whether
/// the incident is restricted.
public struct Playbook: Sendable, Hashable {
    public var id: String
    /// The type word (`tco`, `card-testing`); the id when the file gives none.
    public var type: String
    /// Other words for the type (`terrorist-content`); each as unique as the type itself.
    public var aliases: [String]
    public var title: String
    public var summary: String
    /// `categories` holds the playbook's one category (`category:`); `severities`, if any,
    /// limit which incidents it is offered for.
    public var appliesTo: IncidentMatch
    /// Words that, found in an incident's title, rank this playbook higher when an incident is
    /// opened with only its category.
    public var keywords: [String]
    /// Incidents of this type are restricted whatever their category.
    public var restricted: Bool
    public var legal: LegalClock?
    public var steps: [PlaybookStep]
    public var source: SourceLocation?

    public init(
        id: String, type: String? = nil, aliases: [String] = [], title: String, summary: String, appliesTo: IncidentMatch,
        keywords: [String] = [], restricted: Bool = false, legal: LegalClock? = nil, steps: [PlaybookStep],
        source: SourceLocation? = nil
    ) {
        self.id = id
        self.type = type ?? id
        self.aliases = aliases
        self.title = title
        self.summary = summary
        self.appliesTo = appliesTo
        self.keywords = keywords
        self.restricted = restricted
        self.legal = legal
        self.steps = steps
        self.source = source
    }

    /// The category this playbook's incidents belong to, when it names exactly one.
    public var category: String? { appliesTo.categories.count == 1 ? appliesTo.categories[0] : nil }

    /// The type and its aliases: every word that selects this playbook in `open`.
    public var typeWords: [String] { [type] + aliases }

    /// Whether the playbook may be attached to an incident of `category`: its `applies_to`
    /// names the category, or names none. `open --playbook` and `playbook` accept no other, so
    /// a child-safety incident cannot be moved to a playbook without its legal duties.
    public func applies(toCategory category: String) -> Bool {
        appliesTo.categories.isEmpty || appliesTo.categories.contains { $0.lowercased() == category.lowercased() }
    }

    /// The roles a step's `owner` may name when config defines no others.
    public static let builtInRoles = ["responder", "lead", "legal", "oncall", "privacy", "support", "engineering", "comms"]
}
