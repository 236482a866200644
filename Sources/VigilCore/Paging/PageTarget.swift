/// What a PagerDuty event does to the PagerDuty incident whose `dedup_key` is Vigil's incident ID.
public enum PagerDutyAction: String, Sendable, Hashable, CaseIterable {
    /// Opens the PagerDuty incident, or adds to it: PagerDuty pages by its own escalation policy.
    case trigger
    /// Stops PagerDuty's paging: someone acknowledged in Vigil.
    case acknowledge
    /// Closes the PagerDuty incident: it was resolved in Vigil.
    case resolve
}

/// Where one direct page goes: a person's own device or inbox, or a pager service. Each is one
/// outbox row, with the outbox's retries and dead letters, so a page that fails is retried, and
/// one that keeps failing is on the operator's dead-letter count rather than lost.
///
/// A target names no secret: PagerDuty's routing key is looked up by the escalation level's name
/// when the row is sent (config `pagerduty.routing_keys`), so the store never holds it.
public enum PageTarget: Sendable, Hashable {
    /// A direct message to one chat account, with the incident's buttons.
    case chat(Identity)
    /// A push notification to an ntfy topic (config `people: {ntfy: topic}`).
    case ntfy(topic: String)
    /// An email (config `people: {email: …}`), for owners such as legal who live in email.
    case email(address: String)
    /// A PagerDuty Events API v2 event, routed by the escalation level's key.
    case pagerDuty(PagerDutyAction, level: String)

    /// The kind of target, for logs and pacing: `chat:slack`, `ntfy`, `email`, `pagerduty`.
    /// Never the address itself: a topic or an email address identifies a person.
    public var medium: String {
        switch self {
        case let .chat(identity): "chat:\(identity.platform)"
        case .ntfy: "ntfy"
        case .email: "email"
        case .pagerDuty: "pagerduty"
        }
    }
}

/// One direct page: where it goes, and whether an acknowledgement makes it moot.
public struct Page: Sendable, Hashable {
    public var target: PageTarget
    /// The page asks for an acknowledgement (an escalation, or a warning or breach of the ack
    /// target): once the incident is acknowledged, or resolved, a page still waiting in the
    /// outbox is dropped unsent. A page acknowledged anywhere stops everywhere.
    public var endsWithAck: Bool

    public init(_ target: PageTarget, endsWithAck: Bool) {
        self.target = target
        self.endsWithAck = endsWithAck
    }
}
