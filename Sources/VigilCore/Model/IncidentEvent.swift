import Crypto
import Foundation

/// What happened to an incident. The names are the stored and exported form.
public enum EventKind: String, Sendable, Hashable, Codable, CaseIterable {
    case opened, acknowledged, assigned, escalated
    case severityChanged = "severity_changed"
    case noted, resolved, reopened
    case stepCompleted = "step_completed"
    case stepSkipped = "step_skipped"
    case stepApproved = "step_approved"
    case playbookChanged = "playbook_changed"
    /// Another playbook attached beside the first (`playbook <id> add`).
    case playbookAdded = "playbook_added"
    case clockWarned = "clock_warned"
    case clockBreached = "clock_breached"
    /// A `lead` or `legal` waived a legal clock; the payload records the clock and the reason.
    case clockWaived = "clock_waived"
    /// Moved to another category or type (`type <id> <type|category>`); the payload names both.
    case reclassified
    /// A completed step preserved evidence: one entry of the preservation ledger (what, where,
    /// hash, release date).
    case preserved
    /// A legal hold placed on the incident (`hold`): nothing preserved is released while it stands.
    case held
    /// The legal hold lifted (`release`).
    case holdReleased = "hold_released"
}

/// One append-only entry in an incident's history, chained to the one before it by hash.
public struct IncidentEvent: Sendable, Equatable {
    public var incident: Int
    /// 1, 2, 3… per incident; the store enforces uniqueness so two racing writers cannot both win.
    public var sequence: Int
    public var kind: EventKind
    public var actor: UserRef
    public var at: Date
    /// Kind-specific facts (`severity`, `reason`, `owner`…), as text.
    public var payload: [String: String]
    /// The hash of the previous event (``EventChain/genesis`` for the first).
    public var previousHash: String
    /// SHA-256 over the previous hash and this event's canonical form, hex.
    public var hash: String

    public init(
        incident: Int, sequence: Int, kind: EventKind, actor: UserRef, at: Date, payload: [String: String],
        previousHash: String, hash: String
    ) {
        self.incident = incident
        self.sequence = sequence
        self.kind = kind
        self.actor = actor
        self.at = at
        self.payload = payload
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// Builds and checks the per-incident hash chain that makes tampering with history evident.
public enum EventChain {
    /// The "previous hash" of an incident's first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// Appends an event after `incident`'s last one, advancing its sequence number and hash.
    public static func append(
        _ kind: EventKind, by actor: UserRef, at: Date, payload: [String: String] = [:], to incident: inout Incident
    ) -> IncidentEvent {
        let sequence = incident.lastSequence + 1
        let previous = incident.lastHash
        let hash = digest(
            incident: incident.number, sequence: sequence, kind: kind, actor: actor, at: at, payload: payload,
            previousHash: previous)
        incident.lastSequence = sequence
        incident.lastHash = hash
        return IncidentEvent(
            incident: incident.number, sequence: sequence, kind: kind, actor: actor, at: at, payload: payload,
            previousHash: previous, hash: hash)
    }

    /// True when every event's hash matches its content and chains onto the one before
    /// (``firstBreak(in:incident:)`` says where and why when not).
    public static func verify(_ events: [IncidentEvent]) -> Bool {
        firstBreak(in: events, incident: nil) == nil
    }

    static func digest(
        incident: Int, sequence: Int, kind: EventKind, actor: UserRef, at: Date, payload: [String: String],
        previousHash: String
    ) -> String {
        // A canonical, unambiguous text: fields in a fixed order, payload keys sorted, every
        // value length-prefixed so no separator inside a value can forge another field.
        var canonical = ""
        func field(_ value: String) { canonical += "\(value.utf8.count):\(value);" }
        field(previousHash)
        field(String(incident))
        field(String(sequence))
        field(kind.rawValue)
        // The stored form: `slack:U0AVA` for events that know their platform, the bare ID for
        // events written before, so old chains still verify.
        field(actor.storedID)
        field(actor.name)
        field(String(Int64((at.timeIntervalSince1970 * 1000).rounded())))
        for key in payload.keys.sorted() {
            field(key)
            field(payload[key]!)
        }
        return Digits.hex(SHA256.hash(data: Array(canonical.utf8)))
    }
}
