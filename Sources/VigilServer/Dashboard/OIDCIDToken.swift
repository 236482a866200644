import Crypto
import Foundation
import VigilCore
import VigilJSON
import _CryptoExtras

/// An OpenID Connect ID token checked as OpenID Connect Core §3.1.3.7 asks: signed (RS256 or
/// ES256) by one of the provider's published keys, issued by the configured issuer for this
/// client, unexpired, and carrying the nonce this sign-in sent. Anything else is refused;
/// `none` and the HMAC algorithms never verify, since the client secret is no provider key.
struct OIDCIDToken: Sendable, Equatable {
    /// The claims Vigil reads.
    var subject: String
    var email: String?
    /// `email_verified`; `nil` when the provider does not say.
    var emailVerified: Bool?
    var expires: Date

    /// Why a token was refused.
    struct Refusal: Error, Equatable, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// One of the provider's public keys (its JWKS), by `kid`.
    enum Key: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        /// The raw `x ‖ y`: P256's key type is not Sendable in this swift-crypto.
        case p256([UInt8])
    }

    /// How far clocks may disagree (RFC 7519 allows "a few minutes").
    static let leeway: TimeInterval = 60

    /// Checks `token` and returns its claims.
    static func verify(
        _ token: String, keys: [String: Key], issuer: String, clientID: String, nonce: String, now: Date
    ) throws(Refusal) -> OIDCIDToken {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = DashboardTokens.bytes(base64URL: parts[0]),
            let payloadBytes = DashboardTokens.bytes(base64URL: parts[1]), let signature = DashboardTokens.bytes(base64URL: parts[2]),
            let header = try? JSONValue.parse(headerBytes), let claims = try? JSONValue.parse(payloadBytes)
        else { throw Refusal("the ID token is not a signed JWT") }
        let signed = Array("\(parts[0]).\(parts[1])".utf8)
        guard let algorithm = header["alg"]?.stringValue, ["RS256", "ES256"].contains(algorithm) else {
            throw Refusal("the ID token's algorithm \(header["alg"]?.stringValue ?? "(none)") is not RS256 or ES256")
        }
        let candidates: [Key] =
            if let kid = header["kid"]?.stringValue { keys[kid].map { [$0] } ?? [] } else { Array(keys.values) }
        let verified = candidates.contains { key in
            switch (algorithm, key) {
            case let ("RS256", .rsa(publicKey)):
                publicKey.isValidSignature(
                    _RSA.Signing.RSASignature(rawRepresentation: signature), for: signed, padding: .insecurePKCS1v1_5)
            case let ("ES256", .p256(raw)):
                if let publicKey = try? P256.Signing.PublicKey(rawRepresentation: raw),
                    let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
                {
                    publicKey.isValidSignature(ecdsa, for: signed)
                } else {
                    false
                }
            default:
                false
            }
        }
        guard verified else { throw Refusal("the ID token's signature does not match the provider's keys") }

        guard claims["iss"]?.stringValue == issuer else { throw Refusal("the ID token was issued by someone else") }
        let audiences = claims["aud"]?.arrayValue?.compactMap(\.stringValue) ?? [claims["aud"]?.stringValue].compactMap { $0 }
        guard audiences.contains(clientID) else { throw Refusal("the ID token is for another client") }
        if audiences.count > 1, claims["azp"]?.stringValue != clientID { throw Refusal("the ID token names another authorized party") }
        guard let exp = claims["exp"]?.doubleValue else { throw Refusal("the ID token has no expiry") }
        let expires = Date(timeIntervalSince1970: exp)
        guard now.timeIntervalSince(expires) < leeway else { throw Refusal("the ID token has expired") }
        if let iat = claims["iat"]?.doubleValue, iat - now.timeIntervalSince1970 > leeway {
            throw Refusal("the ID token was issued in the future")
        }
        guard let sent = claims["nonce"]?.stringValue, ConstantTime.equals(Array(sent.utf8), Array(nonce.utf8)) else {
            throw Refusal("the ID token's nonce is not this sign-in's")
        }
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty else { throw Refusal("the ID token names no subject") }
        return OIDCIDToken(
            subject: subject, email: claims["email"]?.stringValue, emailVerified: claims["email_verified"]?.boolValue, expires: expires)
    }

    /// The keys of a JWKS document (RFC 7517) that can verify RS256 or ES256, by `kid` (keys
    /// without one get their position); others (encryption keys, other curves) are skipped.
    static func keys(fromJWKS document: JSONValue) -> [String: Key] {
        var found: [String: Key] = [:]
        for (index, jwk) in (document["keys"]?.arrayValue ?? []).enumerated() {
            if let use = jwk["use"]?.stringValue, use != "sig" { continue }
            let kid = jwk["kid"]?.stringValue ?? "#\(index)"
            func bytes(_ name: String) -> [UInt8]? { jwk[name]?.stringValue.flatMap { DashboardTokens.bytes(base64URL: Substring($0)) } }
            switch jwk["kty"]?.stringValue {
            case "RSA":
                if let n = bytes("n"), let e = bytes("e"), let key = try? _RSA.Signing.PublicKey(n: n, e: e) { found[kid] = .rsa(key) }
            case "EC" where jwk["crv"]?.stringValue == "P-256":
                if let x = bytes("x"), let y = bytes("y"), (try? P256.Signing.PublicKey(rawRepresentation: x + y)) != nil {
                    found[kid] = .p256(x + y)
                }
            default:
                continue
            }
        }
        return found
    }
}
