import Foundation

/// Everything from config the core needs to decide: names, targets, levels and who may see what.
public struct Policy: Sendable {
    /// `INC` in `INC-42`.
    public var idPrefix: String
    /// Ordered, most urgent first.
    public var severities: [Severity]
    public var categories: [Category]
    /// The escalation levels, level 1 first; `escalate` stops at the last.
    public var escalationLevels: [EscalationLevel]
    /// How many times the top level is re-notified (every `after` of the top level) while the
    /// incident stays unacknowledged there.
    public var escalationRepeats: Int
    /// On-call rotations by name.
    public var oncall: [OncallSchedule]
    /// Where times are shown to people.
    public var timeZone: TimeZone
    /// When the daily digest goes to the leads channel, if it is configured.
    public var digest: DigestSchedule?
    /// Config `people:`: one person's accounts across platforms.
    public var people: PeopleDirectory
    /// Config `roles:`: who holds `responder`, `lead`, `legal` and `restricted`.
    public var roles: RoleAssignments
    /// How far back `open … --known` may reach (`known_max_age`, default 30 days): an older time
    /// would start deadlines long past.
    public var knownMaxAge: Duration = Policy.defaultKnownMaxAge
    /// Config `oncall_overrides: {approval: …}`: whether `oncall cover` by a non-lead waits for
    /// a lead's approval.
    public var oncallOverrideApproval: OncallOverrideApproval = .none

    /// Config `owners:`: who a step's `owner` (`legal`, `support`, …) stands for. An owner with
    /// no entry is shown by name only.
    public var owners: [String: [OwnerTarget]] = [:]
    /// Config `playbook_choice` (default 10 minutes): how long an incident opened with only a
    /// category that has several playbooks waits before its acknowledger (or on-call) is
    /// reminded to choose one, and how often the reminder repeats.
    public var playbookChoice: Duration = Policy.defaultPlaybookChoice
    /// Which direct pages config makes possible (bot tokens, ntfy, SMTP, PagerDuty keys).
    public var paging = PagingPolicy()
    /// Every channel is posted to through a platform API that can edit posts (Slack or
    /// Mattermost with a bot token), so a redaction reaches every earlier post; with any
    /// incoming webhook, Vigil says instead that earlier posts may still show details.
    public var editsPosts = false
    /// Config `incident_channels:`: which incidents get a channel of their own.
    public var rooms = RoomPolicy()
    /// Config `preservation: {remind_before: 14d}`: how long before a preservation ledger
    /// entry's release date legal is reminded.
    public var preservationReminder = Policy.defaultPreservationReminder

    /// `preservation.remind_before` when the config does not set it: two weeks, time to ask
    /// counsel or law enforcement whether the hold should last.
    public static let defaultPreservationReminder = Duration.seconds(14 * 86_400)

    /// `playbook_choice` when the config does not set it.
    public static let defaultPlaybookChoice = Duration.seconds(10 * 60)

    /// `known_max_age` when the config does not set it: 30 days.
    public static let defaultKnownMaxAge = Duration.seconds(30 * 86_400)

    public init(
        idPrefix: String = "INC", severities: [Severity], categories: [Category],
        escalationLevels: [EscalationLevel] = Policy.defaultLevels, escalationRepeats: Int = 0, oncall: [OncallSchedule] = [],
        timeZone: TimeZone = .gmt, digest: DigestSchedule? = nil, people: PeopleDirectory = PeopleDirectory(),
        roles: RoleAssignments = RoleAssignments()
    ) {
        self.idPrefix = idPrefix
        self.severities = severities
        self.categories = categories
        self.escalationLevels = escalationLevels
        self.escalationRepeats = escalationRepeats
        self.oncall = oncall
        self.timeZone = timeZone
        self.digest = digest
        self.people = people
        self.roles = roles
    }

    /// The severity named `name` (case-insensitive).
    public func severity(named name: String) -> Severity? {
        severities.first { $0.name.lowercased() == name.lowercased() }
    }

    /// The category named `name` (case-insensitive).
    public func category(named name: String) -> Category? {
        categories.first { $0.name.lowercased() == name.lowercased() }
    }

    /// `INC-42`.
    public func displayID(_ number: Int) -> String { "\(idPrefix)-\(number)" }

    /// The number in a display ID this policy writes (`INC-42` → 42), exactly: another prefix,
    /// a sign, spaces or leading zeros are not one.
    public func incidentNumber(displayID text: String) -> Int? {
        guard text.hasPrefix(idPrefix + "-") else { return nil }
        let digits = text.dropFirst(idPrefix.count + 1)
        guard let first = digits.first, first != "0", digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        return Int(digits)
    }

    /// Whether `user` is cleared for restricted incidents: holds the `restricted` role, by
    /// identity (never by display name), through any of their linked accounts.
    public func mayReadRestricted(_ user: UserRef) -> Bool {
        roles.has(user, .restricted, people: people)
    }

    /// Whether `user` holds `role` (see ``RoleAssignments/has(_:_:people:)``).
    public func has(_ user: UserRef, _ role: Role) -> Bool {
        roles.has(user, role, people: people)
    }

    /// Whether `a` and `b` are surely one person (through `people:`); never by name.
    public func isSamePerson(_ a: UserRef, _ b: UserRef) -> Bool {
        people.isSamePerson(a, b)
    }

    /// The name of escalation level `level` (1-based), or `level N` past the configured ones.
    public func levelName(_ level: Int) -> String {
        escalationLevels.indices.contains(level - 1) ? escalationLevels[level - 1].name : "level \(level)"
    }

    /// The on-call schedule named `name`.
    public func schedule(named name: String) -> OncallSchedule? {
        oncall.first { $0.name == name }
    }

    /// Three levels with no one to notify and no automatic escalation: what local mode uses.
    public static let defaultLevels = [EscalationLevel(name: "responders"), EscalationLevel(name: "lead"), EscalationLevel(name: "head")]

    /// The built-in policy of local mode and the shipped example config.
    public static let defaults = Policy(
        severities: [
            Severity(name: "sev1", ack: .seconds(5 * 60), resolve: .seconds(4 * 3600)),
            Severity(name: "sev2", ack: .seconds(30 * 60), resolve: .seconds(24 * 3600)),
            Severity(name: "sev3", ack: .seconds(4 * 3600), resolve: .seconds(3 * 86_400)),
        ],
        categories: [
            Category(name: "fraud"), Category(name: "moderation"), Category(name: "compliance"),
            Category(name: "child-safety", restricted: true),
        ])
}
