/// Why a signed intake delivery was refused (answered 401, nothing read past the headers). The
/// reason is safe to log and to send back: it never holds a secret or a signature.
public struct IntakeSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// How long a signed delivery stays acceptable, either way from now: five minutes, as Slack's
/// and the Standard Webhooks libraries' tolerance, so a captured request cannot be replayed later.
public enum IntakeSignatureWindow {
    public static let seconds: Int64 = 300

    /// Refuses a timestamp (Unix seconds, as text) that is missing, not a number, or outside
    /// the window around `now`.
    static func check(_ timestamp: String?, header: String, now: Double) throws(IntakeSignatureError) -> Int64 {
        guard let timestamp, !timestamp.isEmpty else { throw IntakeSignatureError("missing \(header)") }
        guard let seconds = Int64(timestamp) else { throw IntakeSignatureError("\(header) is not Unix seconds") }
        // Compared in Double: a huge timestamp must not overflow Int64 arithmetic.
        guard abs(Double(seconds) - now) <= Double(Self.seconds) else {
            throw IntakeSignatureError("\(header) is more than 5 minutes from now (stale or replayed)")
        }
        return seconds
    }
}
