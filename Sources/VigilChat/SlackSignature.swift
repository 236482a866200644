import Crypto
import Foundation

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
        // Hex by table: `String(format: "%02x")` per byte cost more than the HMAC itself.
        var hex: [UInt8] = Array("v0=".utf8)
        hex.reserveCapacity(3 + 64)
        for byte in mac.finalize() {
            hex.append(Self.hexDigits[Int(byte >> 4)])
            hex.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

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
