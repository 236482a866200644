import Foundation

/// Whether an incident's own channel is open to the workspace or invitation-only.
public enum RoomVisibility: String, Sendable, Hashable, CaseIterable {
    case `public`
    case `private`
}

/// One rule of config `incident_channels:`: which incidents get a channel of their own, how
/// visible it is, where, and how long it stays after the incident is resolved.
///
/// ```yaml
/// incident_channels:
///   - {when: {restricted: true}, visibility: private}
///   - {when: {severity: sev1}, visibility: public, archive_after: 3d}
/// ```
///
/// A restricted incident's channel is private whatever the rule says: a public channel would
/// let anyone in the workspace read what only cleared people may.
public struct RoomRule: Sendable, Hashable {
    /// What an incident must be for the rule to apply; every condition given must hold.
    public struct Condition: Sendable, Hashable {
        /// Any of these severities (`sev1`); empty means any.
        public var severities: [String]
        /// Any of these categories; empty means any.
        public var categories: [String]
        /// Any of these incident types (a playbook's `type:` word); empty means any.
        public var types: [String]
        /// Restricted (or not); `nil` means either.
        public var restricted: Bool?

        public init(severities: [String] = [], categories: [String] = [], types: [String] = [], restricted: Bool? = nil) {
            self.severities = severities
            self.categories = categories
            self.types = types
            self.restricted = restricted
        }

        /// True when `incident` (whose attached playbooks' types are `types`) meets every condition.
        func holds(for incident: Incident, types incidentTypes: [String]) -> Bool {
            if !severities.isEmpty, !severities.contains(where: { $0.lowercased() == incident.severity.lowercased() }) { return false }
            if !categories.isEmpty, !categories.contains(where: { $0.lowercased() == incident.category.lowercased() }) { return false }
            if !types.isEmpty, !types.contains(where: { incidentTypes.contains($0.lowercased()) }) { return false }
            if let restricted, restricted != incident.restricted { return false }
            return true
        }
    }

    public var when: Condition
    public var visibility: RoomVisibility
    /// The platform the channel is made on (`slack`, `mattermost`); `nil` for the policy's default.
    public var platform: String?
    /// How long after resolve the channel is archived.
    public var archiveAfter: Duration

    /// Three days: long enough for a follow-up review in the channel, short enough that the
    /// sidebar does not fill with finished incidents.
    public static let defaultArchiveAfter = Duration.seconds(3 * 86_400)

    public init(when: Condition, visibility: RoomVisibility, platform: String? = nil, archiveAfter: Duration = RoomRule.defaultArchiveAfter)
    {
        self.when = when
        self.visibility = visibility
        self.platform = platform
        self.archiveAfter = archiveAfter
    }
}

/// Config `incident_channels:` as the core uses it: the rules, first match wins, and the
/// platform channels are made on when a rule names none.
public struct RoomPolicy: Sendable, Hashable {
    public var rules: [RoomRule]
    /// Where a rule without `platform:` makes its channel: the first platform with a bot token.
    public var defaultPlatform: String?

    public init(rules: [RoomRule] = [], defaultPlatform: String? = nil) {
        self.rules = rules
        self.defaultPlatform = defaultPlatform
    }

    /// No rules: no incident gets a channel, and commands never look one up.
    public var isEmpty: Bool { rules.isEmpty }
}
