/// The channels Vigil posts to, by role; config `channels:` maps each to a webhook or the console.
public enum ChannelRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every lifecycle change is announced here.
    case incidents
    /// Escalations, warnings and breach alerts.
    case oncall
    /// Digests and reports for leads.
    case leads
}

/// A message the core wants posted to a channel; the store keeps it as an outbox row in the same
/// transaction as the events that caused it, and the delivery service posts it.
public struct OutboxItem: Sendable, Equatable {
    public var channel: ChannelRole
    public var incident: Int?
    public var message: Message

    public init(channel: ChannelRole, incident: Int?, message: Message) {
        self.channel = channel
        self.incident = incident
        self.message = message
    }
}
