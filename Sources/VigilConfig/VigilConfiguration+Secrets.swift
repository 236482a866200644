import Foundation

extension VigilConfiguration {
    /// Values shorter than this are not redacted: so short a value would also match ordinary
    /// words and numbers, and mangle logs without protecting anything.
    public static let shortestRedactedSecret = 8

    /// Every credential this configuration holds, for the log handlers to redact should one ever
    /// reach a log line: the platforms' signing secrets and tokens, the bot tokens, PagerDuty's
    /// routing keys and webhook secret, ntfy's token, the SMTP password, the intake secrets, the
    /// dashboard's secret and OIDC client secret, the database password, and the webhook URLs
    /// (a webhook URL is itself the credential). Discord's public key is not secret and is left
    /// out, as is anything shorter than ``shortestRedactedSecret``. Longest first, so that a
    /// secret containing another is redacted whole.
    public var secrets: [String] {
        var found: [String] = []
        for platform in chatPlatforms {
            switch platform {
            case let .slack(signingSecret): found.append(signingSecret)
            case let .mattermost(token): found.append(token)
            case .discord: break
            case let .teams(securityToken):
                // Config gives the token in base64; the raw bytes are rarely text at all.
                found.append(Data(securityToken).base64EncodedString())
                if let text = String(bytes: securityToken, encoding: .utf8) { found.append(text) }
            }
        }
        found += [reach.slack?.botToken, reach.mattermost?.botToken, reach.pagerDuty?.webhookSecret, reach.ntfy?.token]
            .compactMap { $0 }
        found += reach.pagerDuty.map { Array($0.routingKeys.values) } ?? []
        found += [reach.smtp?.password].compactMap { $0 }
        found += (intake.zendesk?.secrets ?? []) + (intake.webhook?.secrets ?? [])
        found += [dashboard.secret, dashboard.oidc?.clientSecret].compactMap { $0 }
        if case let .postgres(location) = database, let password = location.password { found.append(password) }
        for case let .webhook(url, _) in channels.values { found.append(url) }
        let kept = Set(found.filter { $0.count >= Self.shortestRedactedSecret })
        return kept.sorted { ($0.count, $0) > ($1.count, $1) }
    }
}
