import VigilJSON

/// What the Events API's answer to one event means for the delivery service.
///
/// PagerDuty documents: 202 accepted (done), 400 invalid event (do not retry: the same body will
/// be refused again), 429 too many events (retry after a while, PagerDuty suggests minutes),
/// 5xx (retry later). Network errors, which never reach this type, are retryable too.
public enum PagerDutyEventOutcome: Sendable, Hashable {
    /// 202: queued by PagerDuty; `dedupKey` is the key PagerDuty reports (ours, echoed), if any.
    case accepted(dedupKey: String?)
    /// 400: PagerDuty refused the event; `message` and `errors` say why. Not retryable.
    case invalid(message: String, errors: [String])
    /// 429: too many events for this routing key right now. Retry later.
    case rateLimited
    /// 5xx: PagerDuty failed. Retry later.
    case serverError(status: Int)
    /// Any other status (e.g. 404 behind a misconfigured proxy): treated as not retryable, so a
    /// wrong URL ends in the dead-letter state instead of retrying forever.
    case unexpected(status: Int)

    /// Whether sending the same event again later may succeed.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .serverError: true
        case .accepted, .invalid, .unexpected: false
        }
    }

    /// Reads an Events API v2 answer, e.g. `202 {"status":"success","dedup_key":"INC-42"}` or
    /// `400 {"status":"invalid event","message":"Event object is invalid","errors":[…]}`.
    ///
    /// The status decides; the body only adds detail, so an unreadable body never turns an
    /// accepted event into a failure.
    public static func interpret(status: Int, body: [UInt8]) -> PagerDutyEventOutcome {
        let json = try? JSONValue.parse(body)
        switch status {
        case 202, 200, 201:
            return .accepted(dedupKey: json?["dedup_key"]?.stringValue)
        case 400:
            let errors = json?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let message = json?["message"]?.stringValue ?? json?["status"]?.stringValue ?? "invalid event"
            return .invalid(message: message, errors: errors)
        case 429:
            return .rateLimited
        case 500..<600:
            return .serverError(status: status)
        default:
            return .unexpected(status: status)
        }
    }
}
