import Foundation

/// How a store re-runs a transaction that lost a race another transaction won (PostgreSQL: a
/// serialization failure, a deadlock, a key committed first, a sequence moved under a unit):
/// exponential backoff with full jitter, so replicas that collided do not collide again in step.
///
/// The re-run reads the state the winner left, so a unit's `decide` runs again on it: a repeated
/// request finds the winner's reply, an `ack` finds the incident acknowledged.
public struct StoreRetry: Sendable {
    /// Tries in all, the first included.
    public var attempts: Int
    /// The first backoff's upper bound; each later one doubles, up to `maxDelay`.
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(attempts: Int = 12, baseDelay: Duration = .milliseconds(2), maxDelay: Duration = .milliseconds(250)) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The upper bound of the backoff after failed try number `attempt` (1-based).
    func ceiling(afterAttempt attempt: Int) -> Duration {
        let factor = Double(1 << min(max(attempt - 1, 0), 20))
        return min(baseDelay * factor, maxDelay)
    }

    /// Runs `body`, again after a backoff while it throws an error `retryable` accepts and tries
    /// remain; the last error is thrown as it is.
    func run<T>(retryable: (any Error) -> Bool, _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch where attempt < attempts && retryable(error) {
                let ceiling = ceiling(afterAttempt: attempt)
                let nanoseconds = Double(ceiling.components.seconds) * 1e9 + Double(ceiling.components.attoseconds) / 1e9
                try await Task.sleep(for: .nanoseconds(Int64(Double.random(in: 0...max(nanoseconds, 0)))))
                attempt += 1
            }
        }
    }
}
