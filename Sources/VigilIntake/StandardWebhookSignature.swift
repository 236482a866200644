import Crypto
import Foundation
import VigilCore

/// Verifies a delivery signed by the Standard Webhooks convention (standardwebhooks.com), which
/// `POST /intake/webhook` takes.
///
/// The sender signs `webhook-id` `.` `webhook-timestamp` `.` raw body with HMAC-SHA256, keyed
/// with the bytes of a `whsec_<base64>` secret, and sends `webhook-signature: v1,<base64>`; the
/// header may carry several space-separated signatures (during a rotation), and any valid one
/// will do. The timestamp must be within five minutes of now. Verify on the raw bytes, before
/// anything is parsed.
public enum StandardWebhookSignature {
    public static let idHeader = "webhook-id"
    public static let timestampHeader = "webhook-timestamp"
    public static let signatureHeader = "webhook-signature"

    /// The key of a `whsec_…` secret: the base64 after the prefix (the prefix is optional, as in
    /// the reference libraries). `nil` when it is not base64 or decodes to nothing.
    public static func key(_ secret: String) -> [UInt8]? {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let data = Data(base64Encoded: encoded), !data.isEmpty else { return nil }
        return Array(data)
    }

    /// Checks the three headers of a delivery of `body` against any of `secrets` at `now`
    /// (Unix seconds); throws why it is not authentic.
    public static func verify(
        id: String?, timestamp: String?, signature: String?, body: some Collection<UInt8>, secrets: [String], now: Double
    ) throws(IntakeSignatureError) {
        guard let id, !id.isEmpty else { throw IntakeSignatureError("missing \(idHeader)") }
        let seconds = try IntakeSignatureWindow.check(timestamp, header: timestampHeader, now: now)
        guard let signature, !signature.isEmpty else { throw IntakeSignatureError("missing \(signatureHeader)") }
        let candidates = signature.split(separator: " ").compactMap { entry -> [UInt8]? in
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1" else { return nil }
            return Array(parts[1].utf8)
        }
        guard !candidates.isEmpty else { throw IntakeSignatureError("\(signatureHeader) has no v1 signature") }
        let signed = Array("\(id).\(seconds).".utf8) + Array(body)
        var matched = false
        // Every secret against every candidate, without an early exit: timing says nothing of
        // which matched.
        for secret in secrets {
            guard let key = key(secret) else { continue }
            let expected = Array(mac(signed, key: key).utf8)
            for candidate in candidates where ConstantTime.equals(candidate, expected) { matched = true }
        }
        guard matched else { throw IntakeSignatureError("\(signatureHeader) does not match") }
    }

    /// `v1,<base64>`: the header value for `body` sent as `id` at `timestamp` under `secret`
    /// (what `vigil` would send; tests check it against the specification's example).
    public static func sign(id: String, timestamp: Int64, body: some Collection<UInt8>, secret: String) -> String? {
        guard let key = key(secret) else { return nil }
        return "v1," + mac(Array("\(id).\(timestamp).".utf8) + Array(body), key: key)
    }

    private static func mac(_ bytes: [UInt8], key: [UInt8]) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: key))).base64EncodedString()
    }
}
