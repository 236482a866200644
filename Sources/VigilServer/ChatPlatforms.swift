import VigilChat
import VigilConfig
import VigilCore

// The one place that turns a platform's config into VigilChat's types: the config target and
// the chat target never import each other, so the server pairs them. Both switches are
// exhaustive, so a new platform's config case cannot be left without its adapter or renderer.

extension ChatPlatformSettings {
    /// The adapter that serves this platform's requests; `specs` are the commands it offers
    /// (Discord maps its application command's options back onto them).
    func adapter(specs: [CommandSpec]) throws -> any ChatAdapter {
        switch self {
        case let .slack(signingSecret): SlackAdapter(signingSecret: signingSecret)
        case let .mattermost(token): MattermostAdapter(token: token)
        case let .discord(publicKey, applicationID, apiURL):
            try DiscordAdapter(
                publicKey: publicKey, applicationID: applicationID, specs: specs, apiBase: apiURL ?? DiscordAdapter.defaultAPIBase)
        case let .teams(securityToken): TeamsAdapter(securityToken: securityToken)
        }
    }
}

extension WebhookFormat {
    /// Renders posts for a webhook that expects this format.
    var renderer: any ChatRenderer {
        switch self {
        case .slack: SlackRenderer()
        case .mattermost: MattermostRenderer()
        case .discord: DiscordRenderer()
        case .teams: TeamsRenderer()
        }
    }
}
