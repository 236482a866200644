import Foundation

/// Who is acting, where and when: everything a handler needs besides the incident itself.
public struct CommandContext: Sendable {
    public var policy: Policy
    /// The moment the command is applied; the core never reads the clock itself.
    public var now: Date
    public var actor: UserRef
    public var platform: String
    public var channel: String
    /// The IDs of the playbooks installed, for `open --playbook`.
    public var playbooks: [String]

    public init(policy: Policy, now: Date, actor: UserRef, platform: String, channel: String, playbooks: [String] = []) {
        self.policy = policy
        self.now = now
        self.actor = actor
        self.platform = platform
        self.channel = channel
        self.playbooks = playbooks
    }

    var text: IncidentText { IncidentText(policy: policy, now: now) }
}

/// What an accepted mutation produces: the new projection, its events, the channel posts and
/// the reply. The app commits all of it in one store transaction.
public struct Outcome: Sendable, Equatable {
    public var incident: Incident
    /// The incident's last sequence number before the command (0 for a new incident).
    public var expectedSequence: Int
    public var events: [IncidentEvent]
    public var outbox: [OutboxItem]
    public var reply: Reply

    public init(incident: Incident, expectedSequence: Int, events: [IncidentEvent], outbox: [OutboxItem], reply: Reply) {
        self.incident = incident
        self.expectedSequence = expectedSequence
        self.events = events
        self.outbox = outbox
        self.reply = reply
    }
}
