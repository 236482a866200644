import Foundation

/// `dashboard:` — how people sign in to the lead dashboard (`GET /dashboard`).
///
/// ```yaml
/// dashboard:
///   link_ttl: 10m        # how long a sign-in link from `/incident dashboard` works (1m–1h)
///   session_ttl: 12h     # how long a sign-in lasts (5m–7d)
///   secret: ${VIGIL_DASHBOARD_SECRET}   # optional: the key of links and sessions
///   oidc:                # optional: sign-in through the company's identity provider
///     issuer: https://accounts.example.com
///     client_id: vigil-dashboard
///     client_secret: ${OIDC_CLIENT_SECRET}
/// ```
///
/// Every key is optional. Without `secret`, the key is derived from the configuration's
/// credentials, so replicas that share a config accept each other's links and sessions, and a
/// rotated credential signs everyone out.
public struct DashboardSettings: Sendable, Equatable {
    /// How long a sign-in link works after `/incident dashboard` sends it.
    public var linkTTL: Duration
    /// How long a session lasts after sign-in.
    public var sessionTTL: Duration
    /// The key that signs links and session cookies, when the operator sets one.
    public var secret: String?
    /// An OpenID Connect provider people may sign in through, besides chat links.
    public var oidc: OIDCSettings?

    public static let linkTTLRange: ClosedRange<Duration> = .seconds(60) ... .seconds(3_600)
    public static let sessionTTLRange: ClosedRange<Duration> = .seconds(300) ... .seconds(7 * 86_400)
    /// Shorter secrets are refused: they could be guessed.
    public static let shortestSecret = 16

    public init(linkTTL: Duration = .seconds(600), sessionTTL: Duration = .seconds(12 * 3_600), secret: String? = nil) {
        self.linkTTL = linkTTL
        self.sessionTTL = sessionTTL
        self.secret = secret
    }
}

/// `dashboard.oidc`: an OpenID Connect provider, found by its issuer URL (discovery at
/// `<issuer>/.well-known/openid-configuration`), with a confidential client registered there
/// whose redirect URI is `<public_url>/dashboard/oidc/callback`.
public struct OIDCSettings: Sendable, Equatable {
    /// The issuer identifier, exactly as the provider's ID tokens carry it in `iss`.
    public var issuer: String
    public var clientID: String
    public var clientSecret: String

    public init(issuer: String, clientID: String, clientSecret: String) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    /// Whether `text` is an https URL with a host, or an http one on loopback (for trying a
    /// provider out on one machine): what the issuer and the provider's endpoints must be.
    public static func isProviderURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty,
            url.fragment == nil
        else { return false }
        return scheme == "https" || (scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host))
    }

    /// The discovery document's URL.
    public var discoveryURL: String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
    }
}
