import Crypto
import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilJSON
import VigilTestSupport

@testable import VigilServer

/// The dashboard's signed tokens, and the ID token checks of its OpenID Connect sign-in.
@Suite struct DashboardTokensTests {
    static let tokens = DashboardTokens(key: Array(repeating: 7, count: 32))
    static let now = Fixtures.t0

    @Test("a token names its user until it expires, for its purpose only")
    func roundTripPurposeAndExpiry() {
        let token = Self.tokens.issue(.link, for: Fixtures.ava, expires: Self.now.addingTimeInterval(600))
        let claims = Self.tokens.verify(token, as: .link, now: Self.now.addingTimeInterval(599))
        #expect(claims?.user == Fixtures.ava)
        #expect(Self.tokens.verify(token, as: .session, now: Self.now) == nil, "a link is never a session")
        #expect(Self.tokens.verify(token, as: .link, now: Self.now.addingTimeInterval(600)) == nil, "expired at its expiry")
        // A Teams id holds a colon: only the first one separates the platform.
        let teams = UserRef(id: "29:1a2b", name: "ben", platform: "teams")
        #expect(
            Self.tokens.verify(Self.tokens.issue(.session, for: teams, expires: Self.now + 60), as: .session, now: Self.now)?.user == teams)
    }

    @Test("any change to a token, another key, or a second encoding of the same bytes is refused")
    func tamperingIsRefused() {
        let token = Self.tokens.issue(.session, for: Fixtures.ava, expires: Self.now.addingTimeInterval(600))
        let other = DashboardTokens(key: Array(repeating: 8, count: 32))
        #expect(other.verify(token, as: .session, now: Self.now) == nil)
        let parts = token.split(separator: ".").map(String.init)
        // Dee's identity under Ava's MAC.
        let forged = DashboardTokens.base64URL(Array("slack:U0DEE\ndee\n\(Int64(Self.now.timeIntervalSince1970 * 1000) + 600_000)\nx".utf8))
        for changed in [
            forged + "." + parts[1], parts[0] + "." + parts[1].dropLast() + "A", parts[0] + "." + parts[1].dropLast() + "B", token + ".",
            "", "...",
        ] {
            #expect(Self.tokens.verify(changed, as: .session, now: Self.now) == nil, "\(changed)")
        }
        // The MAC's last character carries two spare bits: flipping them keeps the bytes, not the token.
        let last = parts[1].last!
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let twin = table[(table.firstIndex(of: last)! ^ 1)]
        #expect(Self.tokens.verify(parts[0] + "." + parts[1].dropLast() + String(twin), as: .session, now: Self.now) == nil)
        #expect(Self.tokens.verify(String(repeating: "A", count: 5_000), as: .session, now: Self.now) == nil)
    }

    @Test("the key: dashboard.secret when set, else every credential in any order; none without credentials")
    func keyDerivation() {
        let a = DashboardTokens.key(settings: DashboardSettings(), credentials: ["slack-signing-secret", "pagerduty-routing"])
        let b = DashboardTokens.key(settings: DashboardSettings(), credentials: ["pagerduty-routing", "slack-signing-secret"])
        let c = DashboardTokens.key(settings: DashboardSettings(), credentials: ["slack-signing-secret", "rotated-routing-key"])
        let secret = DashboardTokens.key(
            settings: DashboardSettings(secret: "an-operator-chosen-secret"), credentials: ["slack-signing-secret"])
        #expect(a != nil && a == b, "replicas sharing a config agree")
        #expect(a != c, "rotating a credential signs everyone out")
        #expect(secret != nil && secret != a)
        #expect(DashboardTokens.key(settings: DashboardSettings(), credentials: []) == nil)
    }

    @Test("an ES256 ID token verifies against its P-256 key from the JWKS, and not against another")
    func es256() throws {
        let key = P256.Signing.PrivateKey()
        let raw = Array(key.publicKey.rawRepresentation)
        let jwks: JSONValue = [
            "keys": [
                [
                    "kty": "EC", "crv": "P-256", "kid": "ec1", "use": "sig",
                    "x": .string(DashboardTokens.base64URL(Array(raw[0..<32]))), "y": .string(DashboardTokens.base64URL(Array(raw[32...]))),
                ],
                ["kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"],
            ]
        ]
        let keys = OIDCIDToken.keys(fromJWKS: jwks)
        #expect(Array(keys.keys) == ["ec1"], "the encryption key is skipped")
        func token(signedBy signer: P256.Signing.PrivateKey, nonce: String = "n-1") throws -> String {
            let header: JSONValue = ["alg": "ES256", "kid": "ec1"]
            let claims: JSONValue = [
                "iss": "https://id.example.com", "aud": ["vigil", "other"], "azp": "vigil", "sub": "s-1", "nonce": .string(nonce),
                "exp": .double(Self.now.timeIntervalSince1970 + 300), "email": "ava@example.com",
            ]
            let input = DashboardTokens.base64URL(header.serialized()) + "." + DashboardTokens.base64URL(claims.serialized())
            return input + "." + DashboardTokens.base64URL(Array(try signer.signature(for: Array(input.utf8)).rawRepresentation))
        }
        let verified = try OIDCIDToken.verify(
            try token(signedBy: key), keys: keys, issuer: "https://id.example.com", clientID: "vigil", nonce: "n-1", now: Self.now)
        #expect(verified.email == "ava@example.com" && verified.subject == "s-1")
        #expect(throws: OIDCIDToken.Refusal.self) {
            try OIDCIDToken.verify(
                try token(signedBy: P256.Signing.PrivateKey()), keys: keys, issuer: "https://id.example.com", clientID: "vigil",
                nonce: "n-1", now: Self.now)
        }
        #expect(throws: OIDCIDToken.Refusal.self) {
            try OIDCIDToken.verify(
                try token(signedBy: key, nonce: "n-2"), keys: keys, issuer: "https://id.example.com", clientID: "vigil", nonce: "n-1",
                now: Self.now)
        }
    }

    @Test("a Teams user gets no link: the thread would see it")
    func noLinkWhereRepliesAreShared() {
        let links = DashboardLinks(tokens: Self.tokens, ttl: .seconds(600)) { "https://vigil.example.com" }
        var context = CommandContext(
            policy: Fixtures.policy, now: Self.now, actor: UserRef(id: "29:1a", name: "ben", platform: "teams"), platform: "teams",
            channel: "ts", catalog: PlaybookCatalog(), repliesArePrivate: false)
        let shared = links.reply(context: context)
        #expect(!shared.message.plainText.contains("token="))
        #expect(shared.message.plainText.contains("whole thread"))
        context.repliesArePrivate = true
        context.actor = Fixtures.ava
        let reply = links.reply(context: context)
        #expect(reply.visibility == .ephemeral && reply.message.plainText.contains("https://vigil.example.com/dashboard/login?token="))
    }
}
