import Crypto
import Foundation
import VigilCore

/// Verifies Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`
/// with the app's signing secret, within five minutes of now.
public struct SlackSignature: Sendable {
    /// Slack's guidance (and its SDKs) reject requests more than five minutes old or ahead.
    public static let window: TimeInterval = 300

    // Kept as bytes: SymmetricKey is not Sendable in this swift-crypto, and a key is cheap to rebuild.
    private let secret: [UInt8]

    public init(signingSecret: String) {
        secret = Array(signingSecret.utf8)
    }

    /// The signature Slack would send for `body` at `timestamp`.
    public func sign(timestamp: String, body: some Collection<UInt8>) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: secret))
        mac.update(data: Array("v0:\(timestamp):".utf8))
        mac.update(data: Array(body))
        return "v0=" + Digits.hex(mac.finalize())
    }

    /// Checks the headers against the raw body, before anything is parsed.
    public func verify(timestamp: String?, signature: String?, body: some Collection<UInt8>, now: Date) throws(ChatRequestError) {
        guard let timestamp, let signature else {
            throw ChatRequestError(.unauthorized, "missing X-Slack-Request-Timestamp or X-Slack-Signature")
        }
        guard let seconds = Int64(timestamp) else {
            throw ChatRequestError(.unauthorized, "malformed X-Slack-Request-Timestamp")
        }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= Self.window else {
            throw ChatRequestError(.unauthorized, "stale request timestamp")
        }
        let expected = sign(timestamp: timestamp, body: body)
        guard ConstantTime.equals(Array(expected.utf8), Array(signature.utf8)) else {
            throw ChatRequestError(.unauthorized, "invalid signature")
        }
    }
}
