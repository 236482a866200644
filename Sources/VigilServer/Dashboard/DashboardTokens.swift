import Crypto
import Foundation
import VigilConfig
import VigilCore

/// Signed, expiring tokens for the dashboard: the sign-in link that `/incident dashboard`
/// sends, the session cookie it is exchanged for, and an OpenID Connect sign-in's state.
///
/// `token = base64url(payload) "." base64url(HMAC-SHA256(key, "vigil dashboard v1\n" + purpose
/// + "\n" + payload))`, with `payload = field "\n" … "\n" expiry-ms "\n" nonce`. A sign-in's
/// fields are the identity and the display name. The purpose is under the MAC, so a link is
/// never a session and a session never a link. Nothing is stored: any replica with the same key
/// checks any token, and the expiry is the whole lifetime. The identity is the platform's user
/// id; the name is only shown.
struct DashboardTokens: Sendable {
    /// What a token is for.
    enum Purpose: String, Sendable {
        /// A sign-in link's token, exchanged for a session.
        case link
        /// The session cookie.
        case session
        /// The cookie that ties an OpenID Connect sign-in's answer to the browser that began it.
        case oidcState = "oidc-state"
    }

    /// Who a valid sign-in token names, and until when it is valid.
    struct Claims: Sendable, Equatable {
        var user: UserRef
        var expires: Date
    }

    // Kept as bytes: SymmetricKey is not Sendable in this swift-crypto.
    private let key: [UInt8]

    init(key: [UInt8]) {
        self.key = key
    }

    /// The key for `settings` and the configuration's `credentials`: `dashboard.secret` when
    /// set, else derived from every credential (so replicas sharing a config agree); `nil` when
    /// the configuration holds no credential at all.
    static func key(settings: DashboardSettings, credentials: [String]) -> [UInt8]? {
        let material: String
        if let secret = settings.secret {
            material = secret
        } else if !credentials.isEmpty {
            material = credentials.sorted().joined(separator: "\u{0}")
        } else {
            return nil
        }
        return Array(
            HMAC<SHA256>.authenticationCode(for: Array("vigil dashboard key v1".utf8), using: SymmetricKey(data: Array(material.utf8))))
    }

    /// A new token for `user` (who must have a platform) valid until `expires`.
    func issue(_ purpose: Purpose, for user: UserRef, expires: Date) -> String {
        seal(purpose, [user.identity.map { "\($0.platform):\($0.id)" } ?? "", user.name], expires: expires)
    }

    /// The claims of `token` when it is well formed, signed with this key for `purpose`, and not
    /// yet expired at `now`; `nil` otherwise.
    func verify(_ token: String, as purpose: Purpose, now: Date) -> Claims? {
        guard let (fields, expires) = open(token, as: purpose, now: now), fields.count == 2,
            let colon = fields[0].firstIndex(of: ":")
        else { return nil }
        let platform = String(fields[0][..<colon]), id = String(fields[0][fields[0].index(after: colon)...])
        guard !platform.isEmpty, !id.isEmpty else { return nil }
        return Claims(user: UserRef(id: id, name: fields[1], platform: platform), expires: expires)
    }

    /// A token carrying `fields` (newlines are dropped from them) until `expires`.
    func seal(_ purpose: Purpose, _ fields: [String], expires: Date) -> String {
        var random = SystemRandomNumberGenerator()
        let payload =
            fields.map { $0.filter { !$0.isNewline } }
            + [String(Int64((expires.timeIntervalSince1970 * 1000).rounded())), String(random.next() as UInt64, radix: 36)]
        let bytes = Array(payload.joined(separator: "\n").utf8)
        return Self.base64URL(bytes) + "." + Self.base64URL(mac(purpose, bytes))
    }

    /// The fields and expiry of `token` when it is well formed, signed with this key for
    /// `purpose`, and not yet expired at `now`.
    func open(_ token: String, as purpose: Purpose, now: Date) -> (fields: [String], expires: Date)? {
        // Longer than any token this issues: a cookie header cannot make the check expensive.
        guard token.utf8.count <= 2_048 else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Self.bytes(base64URL: parts[0]), let signature = Self.bytes(base64URL: parts[1]),
            ConstantTime.equals(mac(purpose, payload), signature)
        else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 2, let millis = Int64(fields[fields.count - 2]) else { return nil }
        let expires = Date(timeIntervalSince1970: Double(millis) / 1000)
        guard now < expires else { return nil }
        return (Array(fields.dropLast(2)), expires)
    }

    private func mac(_ purpose: Purpose, _ payload: [UInt8]) -> [UInt8] {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: key))
        mac.update(data: Array("vigil dashboard v1\n\(purpose.rawValue)\n".utf8))
        mac.update(data: payload)
        return Array(mac.finalize())
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func bytes(base64URL text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        guard let bytes = Data(base64Encoded: standard).map(Array.init) else { return nil }
        // One encoding per value: a decoder ignores the last character's spare bits, and a
        // token that differs there must not pass as the one that was issued.
        return base64URL(bytes) == text ? bytes : nil
    }
}
