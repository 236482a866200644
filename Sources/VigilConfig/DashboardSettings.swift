/// `dashboard:` — how people sign in to the lead dashboard (`GET /dashboard`).
///
/// ```yaml
/// dashboard:
///   link_ttl: 10m        # how long a sign-in link from `/incident dashboard` works (1m–1h)
///   session_ttl: 12h     # how long a sign-in lasts (5m–7d)
///   secret: ${VIGIL_DASHBOARD_SECRET}   # optional: the key of links and sessions
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
