import Foundation
import VigilCore
import Yams

/// `dashboard: {link_ttl, session_ttl, secret, oidc}` (see ``DashboardSettings``).
extension ConfigurationDecoder {
    func dashboard(_ node: Node?, publicURL: String?) -> DashboardSettings {
        var settings = DashboardSettings()
        guard let node, let fields = reader.fields(of: node, at: "dashboard", known: ["link_ttl", "session_ttl", "secret", "oidc"])
        else {
            return settings
        }
        if let value = fields["link_ttl"], let ttl = boundedDuration(value, at: "dashboard.link_ttl", DashboardSettings.linkTTLRange) {
            settings.linkTTL = ttl
        }
        if let value = fields["session_ttl"],
            let ttl = boundedDuration(value, at: "dashboard.session_ttl", DashboardSettings.sessionTTLRange)
        {
            settings.sessionTTL = ttl
        }
        if let value = fields["secret"], let secret = reader.string(value, at: "dashboard.secret") {
            if secret.count < DashboardSettings.shortestSecret {
                reader.error(
                    "dashboard.secret must be at least \(DashboardSettings.shortestSecret) characters (a random string, e.g. from openssl rand -hex 32)",
                    at: value)
            } else {
                settings.secret = secret
            }
        }
        if let value = fields["oidc"] { settings.oidc = oidc(value, publicURL: publicURL) }
        return settings
    }

    /// `dashboard.oidc: {issuer, client_id, client_secret}`: an https issuer (http only on
    /// loopback, for trying a provider out on one machine), and `public_url` for the redirect.
    private func oidc(_ node: Node, publicURL: String?) -> OIDCSettings? {
        let path = "dashboard.oidc"
        guard let fields = reader.fields(of: node, at: path, known: ["issuer", "client_id", "client_secret"]),
            reader.needs(["issuer", "client_id", "client_secret"], in: fields, of: node, at: path),
            let issuer = reader.text(fields, "issuer", at: path), let clientID = reader.text(fields, "client_id", at: path),
            let clientSecret = reader.text(fields, "client_secret", at: path)
        else { return nil }
        guard OIDCSettings.isProviderURL(issuer), URL(string: issuer)?.query == nil else {
            reader.error(
                "\(path).issuer must be the provider's https URL, like https://accounts.example.com (http only on 127.0.0.1 or localhost)",
                at: fields["issuer"] ?? node)
            return nil
        }
        guard publicURL != nil else {
            reader.error("\(path) needs public_url: the provider sends people back to public_url/dashboard/oidc/callback", at: node)
            return nil
        }
        return OIDCSettings(issuer: issuer, clientID: clientID, clientSecret: clientSecret)
    }

    private func boundedDuration(_ node: Node, at path: String, _ range: ClosedRange<Duration>) -> Duration? {
        guard let duration = reader.duration(node, at: path) else { return nil }
        guard range.contains(duration) else {
            reader.error(
                "\(path) must be from \(DurationText.configForm(range.lowerBound)) to \(DurationText.configForm(range.upperBound))",
                at: node)
            return nil
        }
        return duration
    }
}
