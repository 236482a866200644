import VigilCore

/// Everything `vigil serve` needs from `vigil.yaml`, decoded once at start into typed values.
///
/// Paths are absolute (relative ones in the file resolve against the file's directory). Build
/// one from a file with ``load(path:environment:workingDirectory:)``, or in code (local mode)
/// with the memberwise initialiser.
public struct VigilConfiguration: Sendable {
    public var listen: ListenAddress
    public var database: DatabaseLocation
    public var durability: Durability
    /// The directory of command specs (`commands/`).
    public var commandsDirectory: String
    /// The directory of playbooks (`playbooks/`).
    public var playbooksDirectory: String
    /// The chat platforms configured, one per section present (`slack:`, `mattermost:`,
    /// `discord:`, `teams:`); the
    /// server serves one adapter for each.
    public var chatPlatforms: [ChatPlatformSettings]
    /// Where each channel role posts; a role missing here posts to the console.
    public var channels: [ChannelRole: ChannelTarget]
    public var outbox: OutboxSettings
    /// Severities, categories, escalation levels, time zone, people and roles.
    public var policy: Policy
    /// The file this configuration was read from; `nil` when built in code.
    public var file: String?
    /// The role names defined under `roles:` (`responder`, `lead`, `legal`, `restricted`).
    public var roleNames: [String]
    /// Timeouts and the connection cap of the HTTP server (`http:`).
    public var http: HTTPSettings
    /// How long idempotency records and delivered posts are kept (`retention:`).
    public var retention: RetentionSettings
    /// `lease`: how long a replica keeps a clock or outbox row it claimed before another may take
    /// it: the longest a due alert waits when the replica holding it dies (default 30s).
    public var lease: Duration = .seconds(30)
    /// `public_url`: where the chat platforms reach Vigil (`https://vigil.example.com`, no
    /// trailing slash), for the manifests and for links in posts; `nil` when not set.
    public var publicURL: String?
    /// Slack and Mattermost as apps, PagerDuty, ntfy and SMTP: everything that reaches people.
    public var reach = ReachSettings()
    /// `intake:` — Zendesk and the generic signed webhook; an endpoint exists only when set.
    public var intake = IntakeSettings()
    /// `log_format`: how the server writes its log lines (default text).
    public var logFormat = LogFormat.text
    /// `metrics_listen`: a second listener that alone serves `GET /metrics` (then the main one
    /// answers 404 for it); `nil` serves it on `listen`.
    public var metricsListen: ListenAddress?
    /// `dashboard:` — sign-in links and sessions of the lead dashboard.
    public var dashboard = DashboardSettings()

    public init(
        listen: ListenAddress = .localDefault, database: DatabaseLocation, durability: Durability = .normal,
        commandsDirectory: String, playbooksDirectory: String, chatPlatforms: [ChatPlatformSettings] = [],
        channels: [ChannelRole: ChannelTarget] = [:],
        outbox: OutboxSettings = OutboxSettings(), policy: Policy = .defaults, file: String? = nil,
        roleNames: [String] = [], http: HTTPSettings = .defaults, retention: RetentionSettings = .defaults
    ) {
        self.listen = listen
        self.database = database
        self.durability = durability
        self.commandsDirectory = commandsDirectory
        self.playbooksDirectory = playbooksDirectory
        self.chatPlatforms = chatPlatforms
        self.channels = channels
        self.outbox = outbox
        self.policy = policy
        self.file = file
        self.roleNames = roleNames
        self.http = http
        self.retention = retention
    }

    /// The roles a playbook step's `owner` may name: ``VigilCore/Playbook/builtInRoles`` and
    /// those defined under `roles:`. Pass to ``PlaybookLoader/load(directory:policy:roles:)``.
    public var playbookRoles: [String] { Self.playbookRoles(roleNames: roleNames) }

    /// The built-in step owners and the `roles:` names besides them; also the keys `owners:`
    /// may map.
    static func playbookRoles(roleNames: [String]) -> [String] {
        Playbook.builtInRoles + roleNames.filter { !Playbook.builtInRoles.contains($0) }
    }

    /// Slack's signing secret, when Slack is configured: what `vigil send` signs with.
    public var slackSigningSecret: String? {
        for case let .slack(signingSecret) in chatPlatforms { return signingSecret }
        return nil
    }

    /// Mattermost's slash-command token, when Mattermost is configured.
    public var mattermostToken: String? {
        for case let .mattermost(token) in chatPlatforms { return token }
        return nil
    }

    /// Where posts for `role` go (the console when the role is not configured).
    public func channel(_ role: ChannelRole) -> ChannelTarget {
        channels[role] ?? .console
    }
}
