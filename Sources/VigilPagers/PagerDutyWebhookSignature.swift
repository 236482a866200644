import Crypto
import VigilCore

/// Verifies the `X-PagerDuty-Signature` header of a v3 webhook.
///
/// The header holds one or more comma-separated `v1=<hex>` signatures (several while a secret is
/// being rotated), each `hex(HMAC-SHA256(secret, raw body))`. A delivery is authentic when any
/// `v1` signature matches. Only the raw bytes as received count: verify before parsing.
public enum PagerDutyWebhookSignature {
    /// The header's name.
    public static let headerName = "X-PagerDuty-Signature"

    /// Whether `header` carries a valid signature of `body` under `secret`.
    ///
    /// A missing or empty header, a header with no `v1=` entry, or entries that are not 64 hex
    /// digits are all simply invalid; the comparison is constant-time in the signature's content.
    public static func isValid(header: String?, body: some Collection<UInt8>, secret: String) -> Bool {
        guard let header, !secret.isEmpty else { return false }
        let expected = Array(signature(body: body, secret: secret).utf8)
        var matched = false
        for entry in header.split(separator: ",") {
            let trimmed = entry.trimmingSpaces()
            guard trimmed.hasPrefix("v1=") else { continue }
            // Lowercased so `v1=ABCD…` from a proxy that upper-cases hex still verifies.
            let candidate = Array(trimmed.dropFirst(3).lowercased().utf8)
            // No early exit: every entry is compared, so timing does not say which one matched.
            if ConstantTime.equals(candidate, expected) { matched = true }
        }
        return matched
    }

    /// `hex(HMAC-SHA256(secret, body))`, lowercase: the value after `v1=`.
    public static func signature(body: some Collection<UInt8>, secret: String) -> String {
        let key = SymmetricKey(data: Array(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(body), using: key)
        return mac.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
