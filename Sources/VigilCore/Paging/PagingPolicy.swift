/// Which direct pages Vigil can send, as config decides: chat platforms where it has a bot token
/// (and so can open a direct message), ntfy and SMTP when configured, and the escalation levels
/// that have a PagerDuty routing key. The core pages only through what is configured, so a page
/// row is never written for a medium nobody could deliver.
public struct PagingPolicy: Sendable, Hashable {
    /// Platforms (`slack`, `mattermost`, `discord`) where Vigil can send a direct message.
    public var chatPlatforms: Set<String>
    /// `ntfy:` is configured: people with an `ntfy` topic get push notifications.
    public var ntfy: Bool
    /// `smtp:` is configured: people with an `email` address get email.
    public var email: Bool
    /// Escalation level names (`responders`, `lead`) with a key in `pagerduty.routing_keys`.
    public var pagerDutyLevels: Set<String>

    public init(chatPlatforms: Set<String> = [], ntfy: Bool = false, email: Bool = false, pagerDutyLevels: Set<String> = []) {
        self.chatPlatforms = chatPlatforms
        self.ntfy = ntfy
        self.email = email
        self.pagerDutyLevels = pagerDutyLevels
    }

    /// Nothing configured: no page is ever written.
    public var isEmpty: Bool { chatPlatforms.isEmpty && !ntfy && !email && pagerDutyLevels.isEmpty }
}

/// Where one person can be reached outside chat channels, from config `people:`.
public struct Contacts: Sendable, Hashable {
    /// An ntfy topic that pushes to their phone.
    public var ntfy: String?
    /// An email address, for owners such as legal who live in email.
    public var email: String?

    public init(ntfy: String? = nil, email: String? = nil) {
        self.ntfy = ntfy
        self.email = email
    }
}
