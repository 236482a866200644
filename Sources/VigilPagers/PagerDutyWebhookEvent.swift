import Foundation

/// One decoded PagerDuty v3 webhook delivery (`{"event": {…}}`).
///
/// Only what Vigil acts on is kept: which incident changed, how, when and by whom. The incident's
/// `incident_key` is the `dedup_key` Vigil sent with Events API v2, which is how a PagerDuty
/// acknowledgement finds its way back to `INC-42`.
public struct PagerDutyWebhookEvent: Sendable, Hashable {
    /// `event.event_type`.
    public enum EventType: Sendable, Hashable {
        case triggered
        case acknowledged
        case unacknowledged
        case resolved
        case reopened
        case escalated
        case reassigned
        case delegated
        case annotated
        case priorityUpdated
        /// Any type Vigil does not act on (`service.updated`, `incident.responder.added`, new
        /// types PagerDuty adds later): the endpoint answers 2xx and ignores it.
        case other(String)

        /// Reads `incident.acknowledged` and friends.
        public init(rawValue: String) {
            switch rawValue {
            case "incident.triggered": self = .triggered
            case "incident.acknowledged": self = .acknowledged
            case "incident.unacknowledged": self = .unacknowledged
            case "incident.resolved": self = .resolved
            case "incident.reopened": self = .reopened
            case "incident.escalated": self = .escalated
            case "incident.reassigned": self = .reassigned
            case "incident.delegated": self = .delegated
            case "incident.annotated": self = .annotated
            case "incident.priority_updated": self = .priorityUpdated
            default: self = .other(rawValue)
            }
        }

        /// The wire name, e.g. `incident.acknowledged`.
        public var rawValue: String {
            switch self {
            case .triggered: "incident.triggered"
            case .acknowledged: "incident.acknowledged"
            case .unacknowledged: "incident.unacknowledged"
            case .resolved: "incident.resolved"
            case .reopened: "incident.reopened"
            case .escalated: "incident.escalated"
            case .reassigned: "incident.reassigned"
            case .delegated: "incident.delegated"
            case .annotated: "incident.annotated"
            case .priorityUpdated: "incident.priority_updated"
            case .other(let name): name
            }
        }
    }

    /// Who caused the event (`event.agent`), e.g. the user who pressed Acknowledge.
    public struct Agent: Sendable, Hashable {
        /// PagerDuty's id, e.g. `PLH1HKV`.
        public var id: String
        /// `user_reference`, `service_reference`, …
        public var type: String?
        /// The display name PagerDuty gives, e.g. `Tenex Engineer`.
        public var summary: String?
    }

    /// The incident the event is about (from `event.data`, or `event.data.incident` for notes,
    /// responders and status updates, whose data is not the incident itself).
    public struct Incident: Sendable, Hashable {
        /// PagerDuty's incident id, e.g. `PGR0VU2`.
        public var id: String
        /// The incident's page in PagerDuty.
        public var htmlURL: String?
        /// The incident's `incident_key`: Vigil's `dedup_key` (`INC-42`) when Vigil's trigger
        /// created it. Nil when the data is only a reference (notes, responders).
        public var incidentKey: String?
        /// `triggered`, `acknowledged` or `resolved`, when the data is the incident itself.
        public var status: String?
        /// The incident's title in PagerDuty.
        public var title: String?
    }

    /// `event.id`: unique per event, so a redelivery can be recognised.
    public var id: String
    /// `event.event_type`.
    public var type: EventType
    /// `event.resource_type`, e.g. `incident`.
    public var resourceType: String?
    /// `event.occurred_at`.
    public var occurredAt: Date
    /// `event.agent`; nil when PagerDuty itself acted (e.g. auto-resolve) or sent `null`.
    public var agent: Agent?
    /// The incident, when the event concerns one.
    public var incident: Incident?
}

/// Why a webhook body could not be decoded. The endpoint answers 400 for all of them.
public enum PagerDutyWebhookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The body is not JSON.
    case malformedJSON(String)
    /// The body has no `event` object.
    case missingEvent
    /// A required field of `event` is missing or has the wrong type.
    case missingField(String)
    /// `event.occurred_at` is not an ISO 8601 date-time.
    case invalidDate(String)

    public var description: String {
        switch self {
        case .malformedJSON(let detail): "PagerDuty webhook body is not JSON: \(detail)"
        case .missingEvent: "PagerDuty webhook body has no \"event\" object"
        case .missingField(let name): "PagerDuty webhook event lacks \"\(name)\""
        case .invalidDate(let value): "PagerDuty webhook occurred_at is not a date-time: \(value)"
        }
    }
}
