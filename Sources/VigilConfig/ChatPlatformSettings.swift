/// One chat platform Vigil serves, with the credentials its requests are checked against: what
/// that platform's section of `vigil.yaml` (`slack:`, `mattermost:`) decodes to.
public enum ChatPlatformSettings: Sendable, Equatable {
    /// `slack: {signing_secret: …}`
    case slack(signingSecret: String)
    /// `mattermost: {token: …}`
    case mattermost(token: String)
}
