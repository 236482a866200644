import VigilChat
import VigilConfig
import VigilCore

// The one place that turns a platform's config into VigilChat's types: the config target and
// the chat target never import each other, so the server pairs them. Both switches are
// exhaustive, so a new platform's config case cannot be left without its adapter or renderer.

extension ChatPlatformSettings {
    /// The adapter that serves this platform's requests; `specs` are the commands it offers
    /// (Discord maps its application command's options back onto them); `publicURL`
    /// (`public_url`) is where Mattermost's buttons post their presses and Teams' buttons link to.
    func adapter(specs: [CommandSpec], publicURL: String?) throws -> any ChatAdapter {
        switch self {
        case let .slack(signingSecret): SlackAdapter(signingSecret: signingSecret)
        case let .mattermost(token): MattermostAdapter(token: token, publicURL: publicURL)
        case let .discord(publicKey, applicationID, apiURL):
            try DiscordAdapter(
                publicKey: publicKey, applicationID: applicationID, specs: specs, apiBase: apiURL ?? DiscordAdapter.defaultAPIBase)
        case let .teams(securityToken): TeamsAdapter(securityToken: securityToken, publicURL: publicURL)
        }
    }
}

/// What channel posts need beyond their format to render buttons: `public_url`, and the
/// Mattermost token that keys its buttons' MAC. Either missing, the platforms that need it post
/// without buttons.
public struct ChatButtonSettings: Sendable, Equatable {
    public var publicURL: String?
    /// `mattermost.token`, when Mattermost is configured: without it, no press could be checked.
    var mattermostToken: String?

    public init(publicURL: String? = nil, platforms: [ChatPlatformSettings] = []) {
        self.publicURL = publicURL
        mattermostToken =
            platforms.lazy.compactMap { platform -> String? in
                if case let .mattermost(token) = platform { return token }
                return nil
            }.first
    }
}

extension WebhookFormat {
    /// Renders posts for a webhook that expects this format, with buttons where `buttons` allows.
    func renderer(_ buttons: ChatButtonSettings) -> any ChatRenderer {
        switch self {
        case .slack: SlackRenderer()
        case .mattermost:
            MattermostRenderer(
                buttons: buttons.publicURL.flatMap { url in buttons.mattermostToken.map { .init(publicURL: url, token: $0) } })
        case .discord: DiscordRenderer()
        case .teams: TeamsRenderer(publicURL: buttons.publicURL)
        }
    }
}
