import Foundation

/// How a command that lost a write race on its incident is retried: again and again, after a
/// growing, jittered pause, until it commits or ``deadline`` has passed since its first attempt.
///
/// Ten responders noting one incident at once each read the incident, and only one of them can
/// commit at that sequence; the others decide again on the fresh state. Full jitter (a pause
/// drawn at random below a doubling cap) spreads the losers out so each round lets more of them
/// through. The deadline stays well under Slack's 3 s limit for an answer.
struct ConflictBackoff: Sendable {
    /// How long after the first attempt a command stops retrying.
    var deadline: Duration = .seconds(2)
    /// The cap of the first pause; it doubles with each retry up to ``maxDelay``.
    var baseDelay: Duration = .milliseconds(2)
    var maxDelay: Duration = .milliseconds(100)

    /// The pause before retry number `retry` (1 for the first retry): uniformly random in
    /// `0…min(maxDelay, baseDelay × 2^(retry−1))`.
    func delay(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let doublings = min(max(retry - 1, 0), 30)
        let cap = min(maxDelay, baseDelay * (1 << doublings))
        let capNanoseconds = max(cap.components.seconds * 1_000_000_000 + cap.components.attoseconds / 1_000_000_000, 0)
        return .nanoseconds(Int64.random(in: 0...capNanoseconds, using: &generator))
    }
}
