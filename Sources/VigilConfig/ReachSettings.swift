import VigilCore

/// Slack as an app: `slack: {bot_token: …, api_url: …}`. With it Vigil posts through the Web
/// API (`chat.postMessage`), threads follow-ups, edits earlier posts and sends direct messages.
public struct SlackAPISettings: Sendable, Equatable {
    /// The bot token (`xoxb-…`). Never logged.
    public var botToken: String
    /// The Web API base, ending in `/` (`https://slack.com/api/`; tests point it at a fake).
    public var apiURL: String

    public init(botToken: String, apiURL: String = SlackAPISettings.defaultURL) {
        self.botToken = botToken
        self.apiURL = apiURL
    }

    public static let defaultURL = "https://slack.com/api/"
}

/// Mattermost with a bot account: `mattermost: {bot_token: …, url: https://chat.example.com}`,
/// through REST API v4.
public struct MattermostAPISettings: Sendable, Equatable {
    /// The bot account's access token. Never logged.
    public var botToken: String
    /// The server's base URL, without a trailing `/`.
    public var url: String
    /// The team incident channels are made in (`mattermost.team_id`); `nil` makes none.
    public var teamID: String?

    public init(botToken: String, url: String, teamID: String? = nil) {
        self.botToken = botToken
        self.url = url
        self.teamID = teamID
    }
}

/// `pagerduty: {routing_keys: {responders: …, lead: …}, events_url: …, webhook_secret: …}`.
public struct PagerDutySettings: Sendable, Equatable {
    /// An Events API v2 integration key per escalation level name. Never logged.
    public var routingKeys: [String: String]
    /// Where events are sent (`https://events.pagerduty.com/v2/enqueue`; tests point it at a fake).
    public var eventsURL: String
    /// The v3 webhook subscription's secret: with it, `POST /pagerduty/webhook` accepts signed
    /// acknowledgements made in PagerDuty. Never logged.
    public var webhookSecret: String?

    public init(routingKeys: [String: String], eventsURL: String = PagerDutySettings.defaultEventsURL, webhookSecret: String? = nil) {
        self.routingKeys = routingKeys
        self.eventsURL = eventsURL
        self.webhookSecret = webhookSecret
    }

    public static let defaultEventsURL = "https://events.pagerduty.com/v2/enqueue"
}

/// `ntfy: {url: https://ntfy.example.com, token: …}`: push notifications to people's topics.
public struct NtfySettings: Sendable, Equatable {
    /// The server's base URL, without a trailing `/`.
    public var url: String
    /// An access token for a server that requires one. Never logged.
    public var token: String?

    public init(url: String, token: String? = nil) {
        self.url = url
        self.token = token
    }
}

/// `smtp: {url: smtp://mail.example.com:587, from: vigil@example.com, username: …, password: …}`.
public struct SMTPSettings: Sendable, Equatable {
    /// `smtp://host:port` (STARTTLS when the server offers it) or `smtps://host:port`.
    public var url: String
    public var from: String
    public var username: String?
    /// Never logged.
    public var password: String?

    public init(url: String, from: String, username: String? = nil, password: String? = nil) {
        self.url = url
        self.from = from
        self.username = username
        self.password = password
    }
}

/// Everything config says about reaching people rather than channels.
public struct ReachSettings: Sendable, Equatable {
    public var slack: SlackAPISettings?
    public var mattermost: MattermostAPISettings?
    public var pagerDuty: PagerDutySettings?
    public var ntfy: NtfySettings?
    public var smtp: SMTPSettings?

    public init(
        slack: SlackAPISettings? = nil, mattermost: MattermostAPISettings? = nil, pagerDuty: PagerDutySettings? = nil,
        ntfy: NtfySettings? = nil, smtp: SMTPSettings? = nil
    ) {
        self.slack = slack
        self.mattermost = mattermost
        self.pagerDuty = pagerDuty
        self.ntfy = ntfy
        self.smtp = smtp
    }

    /// The pages these settings make possible, for ``VigilCore/Policy/paging``.
    public var paging: PagingPolicy {
        PagingPolicy(
            chatPlatforms: apiPlatforms, ntfy: ntfy != nil, email: smtp != nil,
            pagerDutyLevels: Set(pagerDuty?.routingKeys.keys ?? [:].keys))
    }

    /// Platforms where Vigil can post as an app (and so edit and send direct messages).
    public var apiPlatforms: Set<String> {
        var platforms: Set<String> = []
        if slack != nil { platforms.insert("slack") }
        if mattermost != nil { platforms.insert("mattermost") }
        return platforms
    }

    /// Platforms where Vigil can make incident channels, the default first: Slack with a bot
    /// token; Mattermost with a bot token and a team to make them in.
    public var roomPlatforms: [String] {
        var platforms: [String] = []
        if slack != nil { platforms.append("slack") }
        if mattermost?.teamID != nil { platforms.append("mattermost") }
        return platforms
    }
}
