import Crypto
import Foundation
import VigilCore

/// Verifies a Microsoft Teams outgoing webhook's signature: `Authorization: HMAC <base64>`, where
/// the base64 is of HMAC-SHA256 over the raw body, keyed with the webhook's security token
/// *decoded* from base64 (protocols.md §4.1, §8.3).
///
/// Teams signs nothing but the body: there is no timestamp header and no replay window, so
/// ``TeamsAdapter`` checks the activity's own `timestamp` after this passed, and the command
/// desk's idempotency on the activity `id` makes a replay within that window change nothing.
public struct TeamsSignature: Sendable {
    /// The scheme, exactly as Teams writes it: case and the one space matter, since a verifier
    /// that accepts variants accepts headers Teams never sends.
    static let scheme = "HMAC "

    // Kept as bytes: SymmetricKey is not Sendable in this swift-crypto, and a key is cheap to rebuild.
    private let key: [UInt8]

    /// `securityToken` is the token Teams showed when the webhook was created, already decoded
    /// from base64 (config decodes it once, and refuses a token that is not base64).
    public init(securityToken: [UInt8]) {
        key = securityToken
    }

    /// The `Authorization` value Teams would send with `body`: `HMAC <base64>`.
    public func sign(body: some Collection<UInt8>) -> String {
        Self.scheme + Data(mac(body)).base64EncodedString()
    }

    /// Checks the `Authorization` header against the raw body, before anything is parsed.
    public func verify(authorization: String?, body: some Collection<UInt8>) throws(ChatRequestError) {
        guard let authorization else {
            throw ChatRequestError(.unauthorized, "missing Authorization")
        }
        guard authorization.hasPrefix(Self.scheme) else {
            throw ChatRequestError(.unauthorized, "Authorization is not HMAC")
        }
        guard let sent = Data(base64Encoded: String(authorization.dropFirst(Self.scheme.count))),
            sent.count == SHA256.byteCount
        else {
            throw ChatRequestError(.unauthorized, "malformed HMAC signature")
        }
        // The decoded bytes rather than the text, so the comparison covers exactly the 32 bytes
        // of the MAC, whatever the spelling of the base64 around them.
        guard ConstantTime.equals(mac(body), Array(sent)) else {
            throw ChatRequestError(.unauthorized, "invalid signature")
        }
    }

    private func mac(_ body: some Collection<UInt8>) -> [UInt8] {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: key))
        mac.update(data: Array(body))
        return Array(mac.finalize())
    }
}
