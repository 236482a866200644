import Foundation

/// The words Vigil uses for incidents in every message, in one place so that redaction of
/// restricted incidents cannot be forgotten by one message and not another.
public struct IncidentText: Sendable {
    public let policy: Policy
    public let now: Date
    /// Whether a private view reaches its viewer alone; when not, ``title(_:for:)`` hides a
    /// restricted title from everyone (see ``CommandContext/repliesArePrivate``).
    public let repliesArePrivate: Bool

    public init(policy: Policy, now: Date, repliesArePrivate: Bool = true) {
        self.policy = policy
        self.now = now
        self.repliesArePrivate = repliesArePrivate
    }

    /// `INC-57`.
    public func id(_ incident: Incident) -> String { policy.displayID(incident.number) }

    /// `SEV1 · fraud`, or `SEV1 · child-safety (restricted)`.
    public func classification(_ incident: Incident) -> String {
        "\(incident.severity.uppercased()) · \(incident.category)\(incident.restricted ? " (restricted)" : "")"
    }

    /// The headline every channel post and in-channel reply starts with:
    /// `INC-57 opened · SEV1 · fraud — Title`. Restricted incidents never show their title here.
    public func headline(_ incident: Incident, _ verb: String) -> [Span] {
        var spans: [Span] = [.bold(id(incident)), .text(" \(verb) · \(classification(incident))")]
        if !incident.restricted { spans.append(.text(" — \(incident.title)")) }
        return spans
    }

    /// `INC-57 · SEV1 · fraud — Title`: the incident named, for lines about something that
    /// happened within it (a step). Restricted incidents never show their title here.
    public func tag(_ incident: Incident) -> [Span] {
        var spans: [Span] = [.bold(id(incident)), .text(" · \(classification(incident))")]
        if !incident.restricted { spans.append(.text(" — \(incident.title)")) }
        return spans
    }

    /// The title for a private view: hidden from people outside the restricted role, and from
    /// everyone when the "private" view is in fact seen by the whole thread.
    public func title(_ incident: Incident, for viewer: UserRef) -> String {
        guard incident.restricted, !(repliesArePrivate && policy.mayReadRestricted(viewer)) else { return incident.title }
        return "(restricted: title hidden)"
    }

    /// A time for people: `21:45 PST`, or with the date when it is not today.
    public func time(_ date: Date) -> String { TimeText.clock(date, now: now, zone: policy.timeZone) }

    /// `ack due 21:45 PST` / `ack 3 min overdue` for a running target.
    public func dueText(_ status: TargetStatus) -> String {
        let label = status.kind == .ack ? "ack" : "resolve"
        if now > status.due { return "\(label) \(DurationText.format(now.duration(since: status.due))) overdue (due \(time(status.due)))" }
        return "\(label) due \(time(status.due))"
    }

    /// `17 min (breached, target 5 min)` / `1 h 30 min (met, target 4 h)` for a met target.
    public func outcomeText(_ status: TargetStatus, from start: Date) -> String {
        guard let elapsed = status.elapsed(from: start) else { return dueText(status) }
        let verdict = status.isBreached(now: now) ? "breached" : "met"
        return "\(DurationText.format(elapsed)) (\(verdict), target \(DurationText.format(status.target)))"
    }
}
