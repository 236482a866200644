import Crypto
import Foundation
import VigilCore

/// Verifies a Zendesk webhook, which `POST /intake/zendesk` takes: the
/// `X-Zendesk-Webhook-Signature` header is base64(HMAC-SHA256(secret, timestamp + raw body)),
/// with the timestamp from `X-Zendesk-Webhook-Signature-Timestamp`, which must be within five
/// minutes of now. The secret is the webhook's signing secret as Zendesk shows it, used as
/// bytes. Verify on the raw bytes, before anything is parsed.
public enum ZendeskSignature {
    public static let signatureHeader = "X-Zendesk-Webhook-Signature"
    public static let timestampHeader = "X-Zendesk-Webhook-Signature-Timestamp"
    /// Zendesk's id of one delivery, the same on its retries: what makes a retry idempotent.
    public static let invocationHeader = "X-Zendesk-Webhook-Invocation-Id"

    /// Checks a delivery of `body` against any of `secrets` (more than one while rotating) at
    /// `now` (Unix seconds); throws why it is not authentic.
    public static func verify(
        signature: String?, timestamp: String?, body: some Collection<UInt8>, secrets: [String], now: Double
    ) throws(IntakeSignatureError) {
        guard let timestamp, !timestamp.isEmpty else { throw IntakeSignatureError("missing \(timestampHeader)") }
        // Zendesk sends an RFC 3339 time (`2026-12-03T18:00:00Z`); Unix seconds are taken too.
        guard let sent = ISOTimestamp.date(timestamp)?.timeIntervalSince1970 ?? Double(timestamp) else {
            throw IntakeSignatureError("\(timestampHeader) is not a time")
        }
        guard abs(sent - now) <= Double(IntakeSignatureWindow.seconds) else {
            throw IntakeSignatureError("\(timestampHeader) is more than 5 minutes from now (stale or replayed)")
        }
        guard let signature, !signature.isEmpty else { throw IntakeSignatureError("missing \(signatureHeader)") }
        let candidate = Array(signature.trimmingCharacters(in: .whitespaces).utf8)
        let signed = Array(timestamp.utf8) + Array(body)
        var matched = false
        for secret in secrets where !secret.isEmpty {
            let expected = Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8))))
            if ConstantTime.equals(candidate, Array(expected.base64EncodedString().utf8)) { matched = true }
        }
        guard matched else { throw IntakeSignatureError("\(signatureHeader) does not match") }
    }
}
