import Crypto
import Foundation
import Synchronization
import VigilChat
import VigilConfig
import VigilCore
import VigilHTTP
import VigilJSON

/// Sign-in to the dashboard through an OpenID Connect provider: the authorization code flow
/// with PKCE (RFC 7636) for a confidential client, the provider found by discovery from its
/// issuer URL.
///
/// `start` sends the browser to the provider with a fresh state, nonce and code challenge, and
/// sets a short-lived cookie (a ``DashboardTokens`` `oidc-state` token) that holds them, so the
/// answer is accepted only in the browser that began the sign-in. `finish` checks the answer
/// against that cookie, redeems the code at the token endpoint, and checks the ID token
/// (``OIDCIDToken``). The provider's documents are cached after their first successful read;
/// its keys are read again when a token names a key not seen yet (a key rotation).
final class OIDCSignIn: Sendable {
    static let startPath = "/dashboard/oidc/start"
    static let callbackPath = "/dashboard/oidc/callback"
    static let stateCookie = "vigil_oidc"
    /// The state cookie goes only to the sign-in's own two paths.
    static let stateCookiePath = "/dashboard/oidc"
    /// How long a sign-in may take at the provider.
    static let stateTTL: TimeInterval = 600

    /// What discovery found.
    struct Provider: Sendable {
        var authorizationEndpoint: String
        var tokenEndpoint: String
        var jwksURI: String
    }

    /// Why a sign-in did not end in a session; the message is for the person signing in.
    struct Failure: Error, Equatable {
        enum Kind: Equatable {
            /// The answer does not belong to a sign-in this browser began (or it took too long).
            case state
            /// The provider said no (`error=access_denied`, …).
            case refused
            /// The provider could not be reached or answered nonsense.
            case provider
            /// The ID token did not pass its checks.
            case token
        }

        var kind: Kind
        var message: String
    }

    let settings: OIDCSettings
    let redirectURI: String
    private let tokens: DashboardTokens
    private let transport: any HTTPTransport
    private let cache = Mutex<(provider: Provider?, keys: [String: OIDCIDToken.Key])>((nil, [:]))

    init(settings: OIDCSettings, publicURL: String, tokens: DashboardTokens, transport: any HTTPTransport) {
        self.settings = settings
        redirectURI = publicURL + Self.callbackPath
        self.tokens = tokens
        self.transport = transport
    }

    /// Where to send the browser, and the state cookie's value to set.
    func start(now: Date) async throws(Failure) -> (location: String, cookie: String) {
        let provider = try await discover()
        let state = Self.random(), nonce = Self.random(), verifier = Self.random()
        let challenge = DashboardTokens.base64URL(Array(SHA256.hash(data: Array(verifier.utf8))))
        let query = FormBody(fields: [
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", redirectURI), ("scope", "openid email"),
            ("state", state), ("nonce", nonce), ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ]).encoded()
        let separator = provider.authorizationEndpoint.contains("?") ? "&" : "?"
        return (
            provider.authorizationEndpoint + separator + query,
            tokens.seal(.oidcState, [state, nonce, verifier], expires: now.addingTimeInterval(Self.stateTTL))
        )
    }

    /// The checked ID token of the provider's answer (`code`, `state` or `error` from the
    /// callback's query) in the browser whose state cookie is `cookie`.
    func finish(
        code: String?, state: String?, error: String?, cookie: String?, now: Date
    ) async throws(Failure) -> OIDCIDToken {
        guard let cookie, let (fields, _) = tokens.open(cookie, as: .oidcState, now: now), fields.count == 3 else {
            throw Failure(kind: .state, message: "This sign-in did not start in this browser, or took longer than 10 minutes.")
        }
        if let error {
            throw Failure(kind: .refused, message: "The identity provider did not sign you in (\(error)).")
        }
        guard let state, ConstantTime.equals(Array(state.utf8), Array(fields[0].utf8)) else {
            throw Failure(kind: .state, message: "This answer belongs to another sign-in.")
        }
        guard let code, !code.isEmpty else { throw Failure(kind: .provider, message: "The identity provider sent no code.") }
        let provider = try await discover()
        let form = FormBody(fields: [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("client_id", settings.clientID),
            ("client_secret", settings.clientSecret), ("code_verifier", fields[2]),
        ])
        let answer = try await json(
            HTTPRequest.post(
                provider.tokenEndpoint,
                headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded"), HTTPHeader("Accept", "application/json")],
                body: Array(form.encoded().utf8)),
            what: "token endpoint")
        guard let idToken = answer["id_token"]?.stringValue else {
            throw Failure(kind: .provider, message: "The identity provider's token endpoint sent no ID token.")
        }
        do {
            return try OIDCIDToken.verify(
                idToken, keys: try await keys(for: idToken, provider: provider), issuer: settings.issuer, clientID: settings.clientID,
                nonce: fields[1], now: now)
        } catch let refusal as OIDCIDToken.Refusal {
            throw Failure(kind: .token, message: "The identity provider's answer was refused: \(refusal.description).")
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(kind: .provider, message: "The identity provider could not be read.")
        }
    }

    // MARK: - The provider's documents

    private func discover() async throws(Failure) -> Provider {
        if let provider = cache.withLock({ $0.provider }) { return provider }
        let document = try await json(
            HTTPRequest.get(settings.discoveryURL, headers: [HTTPHeader("Accept", "application/json")]), what: "discovery")
        guard document["issuer"]?.stringValue == settings.issuer, let authorization = document["authorization_endpoint"]?.stringValue,
            let token = document["token_endpoint"]?.stringValue, let jwks = document["jwks_uri"]?.stringValue,
            [authorization, token, jwks].allSatisfy(OIDCSettings.isProviderURL)
        else {
            throw Failure(
                kind: .provider,
                message: "The identity provider's discovery document does not match dashboard.oidc.issuer, or lacks an endpoint.")
        }
        let provider = Provider(authorizationEndpoint: authorization, tokenEndpoint: token, jwksURI: jwks)
        cache.withLock { $0.provider = provider }
        return provider
    }

    /// The provider's keys, read again when `idToken` names a key not among the cached ones.
    private func keys(for idToken: String, provider: Provider) async throws(Failure) -> [String: OIDCIDToken.Key] {
        let kid = idToken.split(separator: ".").first.flatMap { DashboardTokens.bytes(base64URL: $0) }
            .flatMap { try? JSONValue.parse($0) }?["kid"]?.stringValue
        let cached = cache.withLock { $0.keys }
        if !cached.isEmpty, kid.map({ cached[$0] != nil }) ?? true { return cached }
        let keys = OIDCIDToken.keys(
            fromJWKS: try await json(HTTPRequest.get(provider.jwksURI, headers: [HTTPHeader("Accept", "application/json")]), what: "keys"))
        cache.withLock { $0.keys = keys }
        return keys
    }

    private func json(_ request: HTTPRequest, what: String) async throws(Failure) -> JSONValue {
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw Failure(kind: .provider, message: "The identity provider's \(what) could not be reached.")
        }
        guard response.status == 200, let document = try? JSONValue.parse(response.body), document.objectMembers != nil else {
            throw Failure(kind: .provider, message: "The identity provider's \(what) answered \(response.status), not a JSON object.")
        }
        return document
    }

    /// 32 random bytes, base64url: a state, a nonce or a PKCE verifier (43 characters).
    private static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return DashboardTokens.base64URL((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
