/// One chat platform Vigil serves, with the credentials its requests are checked against: what
/// that platform's section of `vigil.yaml` (`slack:`, `mattermost:`, `discord:`, `teams:`)
/// decodes to.
public enum ChatPlatformSettings: Sendable, Equatable {
    /// `slack: {signing_secret: …}`
    case slack(signingSecret: String)
    /// `mattermost: {token: …}`
    case mattermost(token: String)
    /// `discord: {public_key: …, application_id: …, api_url: …}`: the application's Ed25519
    /// public key (32 bytes, given as 64 hex digits), its id (a snowflake, kept as text), and
    /// Discord's API base where deferred replies are edited (`nil`: Discord's own; tests point
    /// it at a fake).
    case discord(publicKey: [UInt8], applicationID: String, apiURL: String? = nil)
    /// `teams: {security_token: …}`: the outgoing webhook's security token, base64-decoded: the
    /// HMAC key Teams signs with.
    case teams(securityToken: [UInt8])

    /// The platform word identities carry: `slack`, `mattermost`, `discord`, `teams`.
    public var platform: String {
        switch self {
        case .slack: "slack"
        case .mattermost: "mattermost"
        case .discord: "discord"
        case .teams: "teams"
        }
    }
}
