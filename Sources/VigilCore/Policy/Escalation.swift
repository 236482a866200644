/// Whom an escalation level notifies: an on-call schedule (its current person) or a user.
public enum NotifyTarget: Sendable, Hashable {
    case schedule(String)
    case user(UserRef)
}

/// One level of the escalation policy from config `escalation:`.
public struct EscalationLevel: Sendable, Hashable {
    public var name: String
    public var notify: [NotifyTarget]
    /// Auto-escalate to this level when the incident is still unacknowledged this long after it
    /// reached the previous level; `nil` for level 1 and for levels reached by hand only.
    public var after: Duration?

    public init(name: String, notify: [NotifyTarget] = [], after: Duration? = nil) {
        self.name = name
        self.notify = notify
        self.after = after
    }
}
