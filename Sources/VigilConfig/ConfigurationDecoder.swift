import Foundation
import VigilCore
import Yams

/// Decodes the root of `vigil.yaml` into a ``VigilConfiguration``, reporting every problem
/// through its ``YAMLReader`` rather than stopping at the first.
///
/// A bad value is reported and replaced by its default so that decoding can go on and find the
/// next problem; the configuration is only handed out when there were none.
struct ConfigurationDecoder {
    let reader: YAMLReader
    /// The config file's directory, absolute; relative paths in the file resolve against it.
    let directory: String

    /// What decoding produced. The directories and policy are known even when other keys are
    /// wrong, so `vigil check` can go on to the command specs and playbooks.
    struct Outcome {
        var configuration: VigilConfiguration?
        var commandsDirectory: String
        /// Where `commands:` was set, for "directory not found" messages.
        var commandsKey: SourceLocation?
        var playbooksDirectory: String
        /// Where `playbooks:` was set and what it said, for "directory not found" messages;
        /// `nil` when the key is absent (then the directory is `playbooks/` beside the file).
        var playbooksKey: (location: SourceLocation, written: String)?
        /// Where `owners:` was set, for warnings about step owners it leaves out.
        var ownersKey: SourceLocation?
        /// The policy as far as it could be decoded (defaults for wrong keys); `nil` when the file
        /// could not be read or parsed, so playbooks cannot be checked against it.
        var policy: Policy?
        /// The roles playbook steps may name: built-in ones and those under `roles:`.
        var playbookRoles: [String]
        var diagnostics: [Diagnostic]
        /// Advice for `vigil check` that does not make the file invalid.
        var warnings: [Diagnostic] = []

        /// For a config file that could not be read or parsed.
        static func unreadable(directory: String, diagnostics: [Diagnostic]) -> Outcome {
            Outcome(
                configuration: nil, commandsDirectory: ConfigPaths.resolve("commands", relativeTo: directory), commandsKey: nil,
                playbooksDirectory: ConfigPaths.resolve("playbooks", relativeTo: directory), playbooksKey: nil, policy: nil,
                playbookRoles: Playbook.builtInRoles, diagnostics: diagnostics)
        }
    }

    static let topLevelKeys = [
        "listen", "database", "durability", "id_prefix", "timezone", "commands", "playbooks", "slack",
        "mattermost", "channels", "roles", "outbox", "severities", "categories", "oncall", "escalation",
        "escalation_repeats", "digest", "people",
        "known_max_age", "http", "retention", "owners", "playbook_choice", "lease", "discord", "teams", "public_url",
        "oncall_overrides", "pagerduty", "ntfy", "smtp", "incident_channels", "intake",
        "preservation", "log_format",
        "metrics_listen", "dashboard",
    ]

    /// `lease`'s bounds: long enough for a post to finish (its timeout is 10 s) in most cases, and
    /// never so long that a dead replica's alerts wait for hours.
    public static let leaseRange: ClosedRange<Duration> = .seconds(2) ... .seconds(3_600)

    func decode(_ root: Node) -> Outcome {
        let top = reader.fields(of: root, at: "", known: Self.topLevelKeys) ?? Fields()

        let listen = top["listen"].flatMap { parse($0, at: "listen", ListenAddress.parse) } ?? .localDefault
        let database =
            top["database"].flatMap { node in
                parse(node, at: "database") { text throws(ConfigValueError) in
                    try DatabaseLocation.parse(text, relativeTo: directory)
                }
            } ?? .sqlite(path: ConfigPaths.resolve("vigil.sqlite", relativeTo: directory))
        let durability = top["durability"].flatMap { reader.oneOf($0, at: "durability", Durability.self) } ?? .normal
        let commands = directoryPath(top["commands"], at: "commands") ?? ConfigPaths.resolve("commands", relativeTo: directory)
        let playbooks = directoryPath(top["playbooks"], at: "playbooks") ?? ConfigPaths.resolve("playbooks", relativeTo: directory)
        let chatPlatforms = chatPlatforms(top)
        let channels = channels(top["channels"])
        let outbox = outbox(top["outbox"])
        var policy = policy(top)
        let reach = reach(top, levelNames: policy.escalationLevels.map(\.name))
        checkAPIChannels(channels, reach: reach, at: top["channels"])
        policy.paging = reach.paging
        policy.rooms = rooms(top["incident_channels"], policy: policy, reach: reach)
        policy.preservationReminder = preservationReminder(top["preservation"])
        // Posts can be edited only where Vigil posts as an app, and none through a webhook.
        policy.editsPosts =
            channels.values.contains { if case .chatAPI = $0 { true } else { false } }
            && !channels.values.contains { if case .webhook = $0 { true } else { false } }
        let roleNames = roleNames(top["roles"])
        let http = http(top["http"])
        let retention = retention(top["retention"])

        var lease = Duration.seconds(30)
        if let node = top["lease"], let value = reader.duration(node, at: "lease") {
            if Self.leaseRange.contains(value) {
                lease = value
            } else {
                reader.error(
                    "lease (\(DurationText.configForm(value))) must be from 2s to 1h: how long a claimed alert waits if its replica dies",
                    at: node)
            }
        }
        var configuration = VigilConfiguration(
            listen: listen, database: database, durability: durability, commandsDirectory: commands,
            playbooksDirectory: playbooks, chatPlatforms: chatPlatforms, channels: channels, outbox: outbox, policy: policy,
            file: reader.file, roleNames: roleNames, http: http, retention: retention)
        configuration.lease = lease
        configuration.reach = reach
        configuration.intake = intake(top["intake"], policy: policy)
        configuration.publicURL = top["public_url"].flatMap(publicURL)
        configuration.logFormat = top["log_format"].flatMap { reader.oneOf($0, at: "log_format", LogFormat.self) } ?? .text
        configuration.metricsListen = top["metrics_listen"].flatMap { parse($0, at: "metrics_listen", ListenAddress.parse) }
        configuration.dashboard = dashboard(top["dashboard"], publicURL: configuration.publicURL)
        if configuration.publicURL == nil, !listen.isLoopback, let node = top["listen"] {
            reader.warning(
                "public_url is not set, so /incident dashboard sends no sign-in links: browsers do not reach \(listen) as such", at: node)
        }
        let diagnostics = reader.diagnostics.enumerated()
            .sorted { ($0.element.location.line, $0.offset) < ($1.element.location.line, $1.offset) }
            .map(\.element)
        let playbooksKey = top.keyNode("playbooks").flatMap { key in
            top["playbooks"]?.scalar.map { (reader.location(of: key), $0.string) }
        }
        return Outcome(
            configuration: diagnostics.isEmpty ? configuration : nil, commandsDirectory: commands,
            commandsKey: top.keyNode("commands").map(reader.location(of:)), playbooksDirectory: playbooks,
            playbooksKey: playbooksKey, ownersKey: top.keyNode("owners").map(reader.location(of:)), policy: policy,
            playbookRoles: configuration.playbookRoles, diagnostics: diagnostics, warnings: reader.warnings)
    }

    // MARK: - Values

    /// Runs a value parser on a string node, reporting its error at the node.
    func parse<T>(_ node: Node, at path: String, _ parse: (String) throws(ConfigValueError) -> T) -> T? {
        guard let text = reader.string(node, at: path) else { return nil }
        do {
            return try parse(text)
        } catch {
            reader.error(error.message, at: node)
            return nil
        }
    }

    func directoryPath(_ node: Node?, at path: String) -> String? {
        guard let node, let text = reader.string(node, at: path) else { return nil }
        guard !text.isEmpty else {
            reader.error("\(path) must name a directory", at: node)
            return nil
        }
        return ConfigPaths.resolve(text, relativeTo: directory)
    }

    /// `public_url`: the https (or http) base URL at which the platforms reach Vigil, with a
    /// path when a proxy serves Vigil under one (`https://example.com/vigil`); kept without a
    /// trailing slash, so the platforms' paths are appended to it.
    func publicURL(_ node: Node) -> String? {
        guard let text = reader.string(node, at: "public_url") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            reader.error("public_url must be the base URL the chat platforms reach Vigil at, like https://vigil.example.com", at: node)
            return nil
        }
        return trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
    }

    // MARK: - Channels and outbox

    func channels(_ node: Node?) -> [ChannelRole: ChannelTarget] {
        var channels = Dictionary(uniqueKeysWithValues: ChannelRole.allCases.map { ($0, ChannelTarget.console) })
        let roles = ChannelRole.allCases.map(\.rawValue)
        guard let node, let fields = reader.fields(of: node, at: "channels", known: roles, noun: "channel role") else {
            return channels
        }
        for role in ChannelRole.allCases {
            guard let value = fields[role.rawValue] else { continue }
            if let target = channelTarget(value, at: "channels.\(role.rawValue)") { channels[role] = target }
        }
        return channels
    }

    /// `console`, a webhook URL, `{url: URL, format: slack|mattermost|discord|teams}`, or
    /// `{channel: C0123ONCALL, platform: slack|mattermost}`: a channel Vigil posts to as an app.
    func channelTarget(_ node: Node, at path: String) -> ChannelTarget? {
        if case .mapping = node {
            guard let fields = reader.fields(of: node, at: path, known: ["url", "format", "channel", "platform"]) else { return nil }
            if let channelNode = fields["channel"] {
                guard fields["url"] == nil, fields["format"] == nil else {
                    reader.error(
                        "\(path) has both channel and url: a channel is posted to through the platform's API, a url is a webhook", at: node)
                    return nil
                }
                guard let channel = reader.string(channelNode, at: "\(path).channel")?.trimmingCharacters(in: .whitespaces),
                    !channel.isEmpty, !channel.contains(where: { $0.isWhitespace || $0 == "#" || $0 == "/" })
                else {
                    reader.error(
                        "\(path).channel must be the channel's ID (Slack: C0123ABCD; Mattermost: its 26-character id), not its name",
                        at: channelNode)
                    return nil
                }
                let platform = fields["platform"].flatMap { reader.oneOf($0, at: "\(path).platform", APIPlatform.self) } ?? .slack
                return .chatAPI(platform: platform.rawValue, channel: channel)
            }
            guard let urlNode = fields["url"] else {
                reader.error("\(path) needs url", at: node)
                return nil
            }
            guard let url = webhookURL(urlNode, at: "\(path).url") else { return nil }
            let format = fields["format"].flatMap { reader.oneOf($0, at: "\(path).format", WebhookFormat.self) }
            return .webhook(url: url, format: format ?? WebhookFormat.inferred(from: url))
        }
        guard let text = reader.string(node, at: path) else { return nil }
        if text.lowercased() == "console" { return .console }
        guard let url = webhookURL(node, text: text, at: path) else { return nil }
        return .webhook(url: url, format: WebhookFormat.inferred(from: url))
    }

    private func webhookURL(_ node: Node, text: String? = nil, at path: String) -> String? {
        guard let text = text ?? reader.string(node, at: path) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let problem = ChannelTarget.validateURL(trimmed) {
            reader.error("invalid webhook URL for \(path): \(problem) (use an incoming-webhook URL or console)", at: node)
            return nil
        }
        return trimmed
    }

    /// A channel posted to as an app needs that platform's bot token.
    func checkAPIChannels(_ channels: [ChannelRole: ChannelTarget], reach: ReachSettings, at node: Node?) {
        for role in ChannelRole.allCases {
            guard case let .chatAPI(platform, _) = channels[role], !reach.apiPlatforms.contains(platform) else { continue }
            reader.error(
                "channels.\(role.rawValue) posts through \(platform)'s API, which needs \(platform).bot_token\(platform == "mattermost" ? " and mattermost.url" : "")",
                at: node ?? Node(""))
        }
    }

    func outbox(_ node: Node?) -> OutboxSettings {
        var settings = OutboxSettings()
        guard let node,
            let fields = reader.fields(
                of: node, at: "outbox", known: ["max_attempts", "base_delay", "max_delay", "channel_budget", "channel_window"])
        else { return settings }
        if let value = fields["max_attempts"], let attempts = reader.int(value, at: "outbox.max_attempts", in: 1...1_000) {
            settings.maxAttempts = attempts
        }
        if let value = fields["base_delay"], let delay = reader.duration(value, at: "outbox.base_delay") {
            settings.baseDelay = delay
        }
        if let value = fields["max_delay"], let delay = reader.duration(value, at: "outbox.max_delay") {
            settings.maxDelay = delay
            if delay < settings.baseDelay {
                let base = DurationText.configForm(settings.baseDelay), max = DurationText.configForm(delay)
                reader.error("outbox.max_delay (\(max)) is shorter than outbox.base_delay (\(base))", at: value)
            }
        }
        if let value = fields["channel_budget"],
            let budget = reader.int(value, at: "outbox.channel_budget", in: OutboxSettings.channelBudgetRange)
        {
            settings.channelBudget = budget
        }
        if let value = fields["channel_window"], let window = reader.duration(value, at: "outbox.channel_window") {
            if OutboxSettings.channelWindowRange.contains(window) {
                settings.channelWindow = window
            } else {
                reader.error(
                    "outbox.channel_window (\(DurationText.configForm(window))) must be from 1s to 1d: the posts a channel may get per window",
                    at: value)
            }
        }
        return settings
    }
}
