import Crypto
import Foundation
import VigilHTTP
import VigilJSON
import _CryptoExtras

/// An OpenID Connect provider on 127.0.0.1, as the dashboard's sign-in meets one: discovery,
/// an authorization endpoint that signs in the person chosen with ``signIn(as:verified:)`` at
/// once (or refuses), a token endpoint that checks the client secret, the redirect URI and the
/// PKCE verifier before it issues an RS256 ID token, and the key set that verifies it.
///
/// ``tamper`` makes the next ID tokens wrong in one way each, for the refusals' tests.
public final class FakeOIDCProvider: Sendable {
    public static let clientID = "vigil-dashboard"
    public static let clientSecret = "oidc-client-secret-for-the-tests"

    /// One way an issued ID token can be wrong.
    public enum Tamper: Sendable, CaseIterable, CustomStringConvertible {
        case none, wrongIssuer, wrongAudience, expired, wrongNonce, badSignature, unsignedAlgorithm, unknownKey

        public var description: String {
            switch self {
            case .none: "a good token"
            case .wrongIssuer: "another issuer"
            case .wrongAudience: "another client's audience"
            case .expired: "expired"
            case .wrongNonce: "another sign-in's nonce"
            case .badSignature: "a signature of other bytes"
            case .unsignedAlgorithm: "alg none"
            case .unknownKey: "signed with a key the provider does not publish"
            }
        }
    }

    private struct Grant {
        var nonce: String
        var challenge: String
        var redirectURI: String
        var email: String
        var verified: Bool
    }

    private struct State {
        var email = "ava@example.com"
        var verified = true
        var denies = false
        var tamper = Tamper.none
        var grants: [String: Grant] = [:]
        var redeemed = 0
    }

    public let server: LocalHTTPServer
    private let state: Shared

    private init(server: LocalHTTPServer, state: Shared) {
        self.server = server
        self.state = state
    }

    /// Starts the provider; its tokens are issued at `now()` (the app's clock in the tests).
    public static func start(now: @escaping @Sendable () -> Date) async throws -> FakeOIDCProvider {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let stranger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let state = Shared()
        let server = try await LocalHTTPServer.start { request in
            let issuer = state.issuer
            let path = String(request.path.prefix { $0 != "?" })
            let query = request.path.contains("?") ? String(request.path.drop { $0 != "?" }.dropFirst()) : ""
            switch (request.method, path) {
            case ("GET", "/.well-known/openid-configuration"):
                return json([
                    "issuer": .string(issuer), "authorization_endpoint": .string(issuer + "/authorize"),
                    "token_endpoint": .string(issuer + "/token"), "jwks_uri": .string(issuer + "/jwks"),
                    "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["RS256"],
                ])
            case ("GET", "/jwks"):
                let primitives = try key.publicKey.getKeyPrimitives()
                return json([
                    "keys": [
                        [
                            "kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
                            "n": .string(base64URL(Array(primitives.modulus))), "e": .string(base64URL(Array(primitives.publicExponent))),
                        ]
                    ]
                ])
            case ("GET", "/authorize"):
                return authorize(form(query), state: state)
            case ("POST", "/token"):
                return try token(form(String(decoding: request.body, as: UTF8.self)), state: state, issuer: issuer, now: now()) {
                    input, tamper in
                    switch tamper {
                    case .unknownKey: try stranger.signature(for: input, padding: .insecurePKCS1v1_5).rawRepresentation
                    default: try key.signature(for: input, padding: .insecurePKCS1v1_5).rawRepresentation
                    }
                }
            default:
                return .text("not found", status: 404)
            }
        }
        state.issuer = server.url(path: "")
        return FakeOIDCProvider(server: server, state: state)
    }

    /// The issuer identifier (and base URL): `http://127.0.0.1:<port>`.
    public var issuer: String { server.url(path: "") }

    /// Who the next authorization signs in; `verified` is the token's `email_verified`.
    public func signIn(as email: String, verified: Bool = true) {
        state.withLock {
            $0.email = email
            $0.verified = verified
            $0.denies = false
        }
    }

    /// Makes the next authorization answer `error=access_denied`.
    public func deny() {
        state.withLock { $0.denies = true }
    }

    /// How the ID tokens issued from now on are wrong.
    public func tamper(_ tamper: Tamper) {
        state.withLock { $0.tamper = tamper }
    }

    /// Codes redeemed at the token endpoint.
    public var redeemed: Int { state.withLock { $0.redeemed } }

    public func stop() async {
        await server.stop()
    }

    // MARK: - Endpoints

    private static func authorize(_ query: [String: String], state: Shared) -> LocalHTTPServer.CannedResponse {
        guard query["response_type"] == "code", query["client_id"] == clientID, let redirect = query["redirect_uri"],
            let requestState = query["state"], let nonce = query["nonce"], let challenge = query["code_challenge"],
            query["code_challenge_method"] == "S256", query["scope"]?.split(separator: " ").contains("openid") == true
        else { return .text("invalid_request", status: 400) }
        let (code, denies): (String, Bool) = state.withLock { state in
            let code = base64URL(Array(UUID().uuidString.utf8))
            state.grants[code] = Grant(
                nonce: nonce, challenge: challenge, redirectURI: redirect, email: state.email, verified: state.verified)
            return (code, state.denies)
        }
        let answer = denies ? "error=access_denied&state=\(escape(requestState))" : "code=\(code)&state=\(escape(requestState))"
        return LocalHTTPServer.CannedResponse(status: 302, headers: [HTTPHeader("Location", redirect + "?" + answer)], body: [])
    }

    private static func token(
        _ form: [String: String], state: Shared, issuer: String, now: Date, sign: ([UInt8], Tamper) throws -> Data
    ) throws -> LocalHTTPServer.CannedResponse {
        guard form["grant_type"] == "authorization_code", form["client_id"] == clientID, form["client_secret"] == clientSecret else {
            return .text(#"{"error":"invalid_client"}"#, status: 401)
        }
        let found: (Grant, Tamper)? = state.withLock { state in
            guard let code = form["code"], let grant = state.grants.removeValue(forKey: code) else { return nil }
            state.redeemed += 1
            return (grant, state.tamper)
        }
        guard let (grant, tamper) = found, form["redirect_uri"] == grant.redirectURI, let verifier = form["code_verifier"],
            base64URL(Array(SHA256.hash(data: Array(verifier.utf8)))) == grant.challenge
        else { return .text(#"{"error":"invalid_grant"}"#, status: 400) }
        let seconds = now.timeIntervalSince1970.rounded()
        let claims: JSONValue = [
            "iss": .string(tamper == .wrongIssuer ? "https://evil.example.com" : issuer), "sub": "subject-0042",
            "aud": .string(tamper == .wrongAudience ? "another-client" : clientID),
            "exp": .double(tamper == .expired ? seconds - 600 : seconds + 300), "iat": .double(seconds - 5),
            "nonce": .string(tamper == .wrongNonce ? "another-nonce" : grant.nonce), "email": .string(grant.email),
            "email_verified": .bool(grant.verified),
        ]
        let header: JSONValue = ["alg": tamper == .unsignedAlgorithm ? "none" : "RS256", "kid": "k1", "typ": "JWT"]
        let input = base64URL(header.serialized()) + "." + base64URL(claims.serialized())
        var signature = Array(try sign(Array(input.utf8), tamper))
        if tamper == .badSignature { signature[0] ^= 0x01 }
        let idToken = input + "." + (tamper == .unsignedAlgorithm ? "" : base64URL(signature))
        return json(["access_token": "fake-access-token", "token_type": "Bearer", "expires_in": 300, "id_token": .string(idToken)])
    }

    // MARK: - Helpers

    /// What the endpoints share: the provider's state and its own address.
    private final class Shared: @unchecked Sendable {
        private let lock = NSLock()
        private var state = State()
        private var address = ""

        var issuer: String {
            get { lock.withLock { address } }
            set { lock.withLock { address = newValue } }
        }

        func withLock<T>(_ body: (inout State) throws -> T) rethrows -> T {
            try lock.withLock { try body(&state) }
        }
    }

    private static func json(_ value: JSONValue) -> LocalHTTPServer.CannedResponse {
        LocalHTTPServer.CannedResponse(status: 200, headers: [HTTPHeader("Content-Type", "application/json")], body: value.serialized())
    }

    /// An `application/x-www-form-urlencoded` text as a dictionary (a repeated name: the last).
    public static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
