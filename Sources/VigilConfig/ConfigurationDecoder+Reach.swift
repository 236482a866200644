import Foundation
import VigilCore
import Yams

/// The config that reaches people rather than channels: Slack and Mattermost as apps, PagerDuty,
/// ntfy and SMTP.
///
/// ```yaml
/// slack: {signing_secret: …, bot_token: ${SLACK_BOT_TOKEN}, api_url: https://slack.com/api/}
/// mattermost: {token: …, bot_token: ${MATTERMOST_BOT_TOKEN}, url: https://chat.example.com, team_id: …}
/// pagerduty: {routing_keys: {responders: …, lead: …}, events_url: …, webhook_secret: ${PAGERDUTY_WEBHOOK_SECRET}}
/// ntfy: {url: https://ntfy.example.com, token: …}
/// smtp: {url: smtp://mail.example.com:587, from: vigil@example.com, username: …, password: …}
/// ```
extension ConfigurationDecoder {
    func reach(_ top: Fields, levelNames: [String]) -> ReachSettings {
        var reach = ReachSettings()
        if let node = top["slack"], let fields = reader.fields(of: node, at: "slack", known: Self.slackKeys),
            let token = optionalSecret(fields["bot_token"], at: "slack.bot_token")
        {
            let url = fields["api_url"].flatMap { httpURL($0, at: "slack.api_url") } ?? SlackAPISettings.defaultURL
            reach.slack = SlackAPISettings(botToken: token, apiURL: url.hasSuffix("/") ? url : url + "/")
        } else if let node = top["slack"], let fields = reader.fields(of: node, at: "slack", known: Self.slackKeys),
            let url = fields["api_url"]
        {
            reader.error("slack.api_url is used only with slack.bot_token", at: url)
        }
        if let node = top["mattermost"], let fields = reader.fields(of: node, at: "mattermost", known: Self.mattermostKeys) {
            let token = optionalSecret(fields["bot_token"], at: "mattermost.bot_token")
            let url = fields["url"].flatMap { httpURL($0, at: "mattermost.url") }
            switch (token, url) {
            case let (token?, url?):
                let team = fields["team_id"].flatMap { reader.string($0, at: "mattermost.team_id") }
                reach.mattermost = MattermostAPISettings(botToken: token, url: Self.trimmedSlash(url), teamID: team)
            case (.some, nil) where fields["url"] == nil:
                reader.error("mattermost.bot_token needs mattermost.url, the server's address", at: node)
            case (nil, .some) where fields["bot_token"] == nil:
                reader.error("mattermost.url is used only with mattermost.bot_token", at: node)
            default: break
            }
        }
        if let node = top["pagerduty"] { reach.pagerDuty = pagerDuty(node, levelNames: levelNames) }
        if let node = top["ntfy"], let fields = reader.fields(of: node, at: "ntfy", known: ["url", "token"]) {
            if let urlNode = fields["url"] {
                if let url = httpURL(urlNode, at: "ntfy.url") {
                    reach.ntfy = NtfySettings(url: Self.trimmedSlash(url), token: optionalSecret(fields["token"], at: "ntfy.token"))
                }
            } else {
                reader.error("ntfy needs url, the ntfy server (https://ntfy.sh or your own)", at: node)
            }
        }
        if let node = top["smtp"] { reach.smtp = smtp(node) }
        return reach
    }

    private func pagerDuty(_ node: Node, levelNames: [String]) -> PagerDutySettings? {
        guard let fields = reader.fields(of: node, at: "pagerduty", known: ["routing_keys", "events_url", "webhook_secret"]) else {
            return nil
        }
        guard let keysNode = fields["routing_keys"] else {
            reader.error(
                "pagerduty needs routing_keys: an Events API v2 integration key per escalation level (\(levelNames.joined(separator: ", ")))",
                at: node)
            return nil
        }
        guard let keyFields = reader.fields(of: keysNode, at: "pagerduty.routing_keys", known: levelNames, noun: "escalation level")
        else { return nil }
        var keys: [String: String] = [:]
        for level in levelNames {
            if let key = optionalSecret(keyFields[level], at: "pagerduty.routing_keys.\(level)") { keys[level] = key }
        }
        if keys.isEmpty {
            reader.error("pagerduty.routing_keys names no escalation level (\(levelNames.joined(separator: ", ")))", at: keysNode)
            return nil
        }
        let url = fields["events_url"].flatMap { httpURL($0, at: "pagerduty.events_url") } ?? PagerDutySettings.defaultEventsURL
        return PagerDutySettings(
            routingKeys: keys, eventsURL: url, webhookSecret: optionalSecret(fields["webhook_secret"], at: "pagerduty.webhook_secret"))
    }

    private func smtp(_ node: Node) -> SMTPSettings? {
        guard let fields = reader.fields(of: node, at: "smtp", known: ["url", "from", "username", "password"]) else { return nil }
        guard let urlNode = fields["url"], let fromNode = fields["from"] else {
            reader.error("smtp needs url (smtp://host:587 or smtps://host:465) and from (the sender address)", at: node)
            return nil
        }
        guard let url = reader.string(urlNode, at: "smtp.url")?.trimmingCharacters(in: .whitespaces) else { return nil }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps",
            let host = parsed.host, !host.isEmpty, parsed.user == nil, parsed.password == nil
        else {
            reader.error("smtp.url must be smtp://host:port or smtps://host:port (put credentials in username and password)", at: urlNode)
            return nil
        }
        guard let from = reader.string(fromNode, at: "smtp.from")?.trimmingCharacters(in: .whitespaces), Self.isEmailAddress(from) else {
            reader.error("smtp.from must be an email address, like vigil@example.com", at: fromNode)
            return nil
        }
        let username = fields["username"].flatMap { reader.string($0, at: "smtp.username") }
        let password = optionalSecret(fields["password"], at: "smtp.password")
        if (username == nil) != (password == nil) {
            reader.error("smtp needs both username and password, or neither", at: node)
            return nil
        }
        return SMTPSettings(url: url, from: from, username: username, password: password)
    }

    /// A secret that may be left out; given, it must not be empty once substituted.
    private func optionalSecret(_ node: Node?, at path: String) -> String? {
        guard let node, let text = reader.string(node, at: path) else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            reader.error("\(path) is empty (is its environment variable set?)", at: node)
            return nil
        }
        return text
    }

    private func httpURL(_ node: Node, at path: String) -> String? {
        guard let text = reader.string(node, at: path)?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let problem = ChannelTarget.validateURL(text) {
            reader.error("\(path): \(problem)", at: node)
            return nil
        }
        return text
    }

    static func trimmedSlash(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// One `@`, something on each side, a dot in the domain, and nothing that could break a
    /// mail header (spaces, angle brackets, line breaks).
    static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else {
            return false
        }
        return !text.contains { $0.isWhitespace || $0.isNewline || "<>,;\"()[]\\".contains($0) }
    }
}
