import Foundation

/// The JSON a channel's incoming webhook expects.
public enum WebhookFormat: String, Sendable, Hashable, CaseIterable {
    case slack
    case mattermost
    /// A Discord channel webhook (`https://discord.com/api/webhooks/…`).
    case discord
    /// A Microsoft Teams Workflows webhook, which takes an Adaptive Card.
    case teams

    /// The format a bare webhook URL implies: Slack's host; Discord's `/api/webhooks/` on its
    /// hosts; the Power Platform and Logic Apps hosts that Teams Workflows URLs live on;
    /// Mattermost's `/hooks/` path; else Slack.
    public static func inferred(from url: String) -> WebhookFormat {
        guard let parsed = URL(string: url) else { return .slack }
        let host = parsed.host?.lowercased() ?? ""
        if host == "hooks.slack.com" { return .slack }
        if ["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"].contains(host),
            parsed.path.hasPrefix("/api/webhooks/")
        {
            return .discord
        }
        if host.hasSuffix(".logic.azure.com") || host.hasSuffix(".api.powerplatform.com") {
            return .teams
        }
        return parsed.path.contains("/hooks/") ? .mattermost : .slack
    }
}

/// The platforms Vigil can post to as an app, through their APIs.
public enum APIPlatform: String, Sendable, Hashable, CaseIterable {
    case slack
    case mattermost
}

/// Where posts for one ``VigilCore/ChannelRole`` go: the terminal, an incoming webhook, or a
/// channel Vigil posts to as an app.
public enum ChannelTarget: Sendable, Equatable {
    /// Printed to standard output (local mode, or a channel not configured).
    case console
    case webhook(url: String, format: WebhookFormat)
    /// A channel, by its ID, posted to through the platform's API with the bot token: each post's
    /// id is kept, so follow-ups thread under the incident's announcement and a redaction can
    /// edit earlier posts.
    case chatAPI(platform: String, channel: String)

    /// Checks that `text` is an absolute http(s) URL with a host; the message does not repeat
    /// the whole URL, because webhook URLs carry their credentials in the path.
    static func validateURL(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            let shown = text.split(separator: "/", maxSplits: 1).first.map { text.contains("/") ? "\($0)/…" : String($0) } ?? text
            return "\"\(shown)\" is not an http(s) URL"
        }
        return nil
    }
}
