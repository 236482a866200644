import Testing
import VigilConfig
import VigilCore

/// The reach keys: Slack and Mattermost as apps, PagerDuty, ntfy, SMTP, people's contacts and
/// channels posted to as an app. Each decodes into what the core may page through, and each
/// mistake is reported at its line.
@Suite("vigil.yaml: reaching people")
struct ReachConfigTests {
    static func decode(_ yaml: String) throws -> VigilConfiguration {
        try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/srv/vigil", environment: [:])
    }

    static func diagnostics(_ yaml: String) -> [String]? {
        let error = #expect(throws: ConfigurationError.self) { try decode(yaml) }
        return error?.diagnostics.map(\.description)
    }

    @Test func everyKeyDecodesIntoThePagesTheCoreMayWrite() throws {
        let configuration = try Self.decode(
            """
            slack: {signing_secret: s3cret, bot_token: xoxb-1, api_url: "http://127.0.0.1:9/api"}
            mattermost: {token: t0ken, bot_token: mm-bot, url: "https://chat.example.com/"}
            pagerduty: {routing_keys: {responders: R1, lead: R2}, webhook_secret: whsec}
            ntfy: {url: "https://ntfy.example.com"}
            smtp: {url: "smtp://mail.example.com:587", from: vigil@example.com, username: vigil, password: pw}
            people:
              - {name: ava, slack: U0AVA, ntfy: ava-pager, email: ava@example.com}
              - {name: lou, email: legal@example.com}
            channels:
              oncall: {channel: C0ONCALL}
              incidents: {channel: 4xk1n9, platform: mattermost}
            """)
        let reach = configuration.reach
        #expect(reach.slack == SlackAPISettings(botToken: "xoxb-1", apiURL: "http://127.0.0.1:9/api/"))
        #expect(reach.mattermost == MattermostAPISettings(botToken: "mm-bot", url: "https://chat.example.com"))
        #expect(reach.pagerDuty == PagerDutySettings(routingKeys: ["responders": "R1", "lead": "R2"], webhookSecret: "whsec"))
        #expect(reach.ntfy == NtfySettings(url: "https://ntfy.example.com"))
        #expect(
            reach.smtp == SMTPSettings(url: "smtp://mail.example.com:587", from: "vigil@example.com", username: "vigil", password: "pw"))
        #expect(configuration.channels[.oncall] == .chatAPI(platform: "slack", channel: "C0ONCALL"))
        #expect(configuration.channels[.incidents] == .chatAPI(platform: "mattermost", channel: "4xk1n9"))
        #expect(
            configuration.policy.paging
                == PagingPolicy(chatPlatforms: ["slack", "mattermost"], ntfy: true, email: true, pagerDutyLevels: ["responders", "lead"]))
        // The leads channel stays on the console, so every channel can still be edited.
        #expect(configuration.policy.editsPosts)
        #expect(configuration.policy.people.person(named: "ava")?.contacts == Contacts(ntfy: "ava-pager", email: "ava@example.com"))
        #expect(configuration.policy.people.person(named: "lou")?.accounts == [])
    }

    @Test func withoutThemNothingPagesAndWebhookChannelsCannotBeEdited() throws {
        let configuration = try Self.decode("channels:\n  incidents: https://hooks.slack.com/services/T/B/X\n")
        #expect(configuration.reach == ReachSettings())
        #expect(configuration.policy.paging.isEmpty)
        #expect(!configuration.policy.editsPosts)
        // Local mode: the console edits nothing either.
        #expect(!(try Self.decode("")).policy.editsPosts)
    }

    @Test func mistakesAreReportedAtTheirLine() {
        let found =
            Self.diagnostics(
                """
                slack: {signing_secret: s, bot_token: ""}
                mattermost: {token: t, bot_token: b}
                pagerduty: {routing_keys: {level9: R}}
                ntfy: {token: x}
                smtp: {url: "http://mail", from: nobody}
                people:
                  - {name: ava, slack: U0AVA, ntfy: "bad topic!", email: "ava at example"}
                channels:
                  oncall: {channel: "#oncall"}
                  leads: {channel: C0LEADS, platform: discord}
                """) ?? []
        #expect(found.contains { $0.hasPrefix("vigil.yaml:1: slack.bot_token is empty") })
        #expect(found.contains { $0.hasPrefix("vigil.yaml:2: mattermost.bot_token needs mattermost.url") })
        #expect(found.contains { $0.hasPrefix("vigil.yaml:3:") && $0.contains("level9") })
        #expect(found.contains { $0.hasPrefix("vigil.yaml:4: ntfy needs url") })
        #expect(found.contains { $0.hasPrefix("vigil.yaml:5: smtp.url must be smtp://") })
        #expect(found.contains { $0.hasPrefix("vigil.yaml:7: people[0].ntfy must be an ntfy topic") })
        #expect(found.contains { $0.hasPrefix("vigil.yaml:7: people[0].email must be an email address") })
        #expect(found.contains { $0.hasPrefix("vigil.yaml:9: channels.oncall.channel must be the channel's ID") })
        #expect(found.contains { $0.hasPrefix("vigil.yaml:10:") && $0.contains("discord") })
    }

    @Test func aChannelPostedAsAnAppNeedsThatPlatformsBotToken() {
        let found = Self.diagnostics("slack: {signing_secret: s}\nchannels:\n  oncall: {channel: C0ONCALL}\n") ?? []
        #expect(found.contains { $0.contains("channels.oncall posts through slack's API, which needs slack.bot_token") })
    }
}
