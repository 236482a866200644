import Foundation

/// A case another tool sent to an intake endpoint, decoded and verified but not yet checked
/// against the policy: what ``Intake`` opens an incident from, or joins to one.
public struct IntakeCase: Sendable, Equatable {
    /// Where it came from: `zendesk` or `webhook`. The actor is `intake:<source>`.
    public var source: String
    /// The type or category word, and which field gave it (`type` or `category`), so that a
    /// refusal names the field the sender wrote.
    public var kind: String?
    public var kindField: String
    public var severity: String?
    public var title: String
    /// When the team learned of it, at the source (a ticket's creation): clocks start here.
    public var knownAt: Date?
    /// The field `knownAt` came from, for refusals (`known_at`, or a ticket's `created_at`).
    public var knownAtField: String
    public var refs: [String]
    /// A second delivery with this key while its incident is open joins it; `nil` opens a new
    /// incident every time.
    public var dedupKey: String?
    /// What the announcement says it came from: `Zendesk ticket 4521`, `the intake webhook`.
    public var origin: String
    /// Said only where restricted details may be shown; `origin` without its reference
    /// (`Zendesk`) is what a restricted incident's channel post says.
    public var originWithoutReference: String

    public init(
        source: String, kind: String?, kindField: String = "type", severity: String?, title: String, knownAt: Date? = nil,
        knownAtField: String = "known_at", refs: [String] = [], dedupKey: String? = nil, origin: String,
        originWithoutReference: String? = nil
    ) {
        self.source = source
        self.kind = kind
        self.kindField = kindField
        self.severity = severity
        self.title = title
        self.knownAt = knownAt
        self.knownAtField = knownAtField
        self.refs = refs
        self.dedupKey = dedupKey
        self.origin = origin
        self.originWithoutReference = originWithoutReference ?? origin
    }

    /// The non-human identity that opens and notes intake cases: `intake:zendesk`.
    public var actor: UserRef { UserRef(id: source, name: "intake-\(source)", platform: Invocation.intakePlatform) }
}

/// A case refused for one of its fields (unknown type or severity, a title too long, a
/// `known_at` in the future): the server answers 422 naming `field`, and nothing is written.
public struct IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body's field at fault (`severity`, `type`, `known_at`, …).
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// What an intake case does when its dedup key names a resolved incident (config
/// `after_resolve:`).
public enum IntakeAfterResolve: String, Sendable, CaseIterable {
    /// Reopens the resolved incident, with the new report as a note.
    case reopen
    /// Opens a new incident, and the key names it from then on.
    case new
}
