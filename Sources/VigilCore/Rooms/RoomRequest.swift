import Foundation

/// An outbox row's instruction to make sure an incident has its own channel: create it if it
/// has none of this visibility yet (named by the incident's ID only, never its title), invite
/// people, and, in a channel just made, post the brief (the row's message) and pin the steps.
///
/// Delivering it twice is harmless: the delivery service finds the channel it already made
/// and invites again, which changes nothing for people already in.
public struct RoomRequest: Sendable, Equatable {
    /// `slack` or `mattermost`.
    public var platform: String
    /// The channel's name: the incident's ID, lowercased (`inc-7`).
    public var name: String
    public var visibility: RoomVisibility
    /// Who to invite: accounts on `platform`. For a restricted incident, only cleared people.
    public var invite: [Identity]
    /// How long after resolve the channel is archived.
    public var archiveAfter: Duration
    /// The steps open now, posted after the brief and pinned; `nil` when no playbook is attached.
    public var steps: Message?

    public init(
        platform: String, name: String, visibility: RoomVisibility, invite: [Identity], archiveAfter: Duration, steps: Message? = nil
    ) {
        self.platform = platform
        self.name = name
        self.visibility = visibility
        self.invite = invite
        self.archiveAfter = archiveAfter
        self.steps = steps
    }

    public var isPrivate: Bool { visibility == .private }
}

/// An incident's own channel, as the store keeps it once made.
public struct IncidentRoom: Sendable, Hashable {
    public var incident: Int
    public var platform: String
    /// The platform's channel id (`C0…` on Slack).
    public var channel: String
    public var name: String
    public var visibility: RoomVisibility
    /// How long after resolve it is archived.
    public var archiveAfter: Duration
    public var createdAt: Date
    /// When Vigil archived it; `nil` while it is in use.
    public var archivedAt: Date?

    public init(
        incident: Int, platform: String, channel: String, name: String, visibility: RoomVisibility, archiveAfter: Duration,
        createdAt: Date, archivedAt: Date? = nil
    ) {
        self.incident = incident
        self.platform = platform
        self.channel = channel
        self.name = name
        self.visibility = visibility
        self.archiveAfter = archiveAfter
        self.createdAt = createdAt
        self.archivedAt = archivedAt
    }
}
