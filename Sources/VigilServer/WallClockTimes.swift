import Foundation

/// The loop of the services that act at wall-clock times (hand-offs, the daily digest): sleep on
/// a `Clock` until the next time, act, repeat.
enum WallClockTimes {
    /// Runs `act` at each time `next(after:)` gives, starting after `start`, until the task is
    /// cancelled or `next` has no more. Each sleep is measured from `now()` when it starts, so a
    /// wall clock that jumps (NTP, a test's manual clock) is followed rather than drifted from.
    static func run<C: Clock, Value>(
        on clock: C, now: () -> Date, after start: Date, next: (Date) -> (at: Date, value: Value)?,
        _ act: (Date, Value) async throws -> Void
    ) async throws where C.Duration == Duration {
        var from = start
        while !Task.isCancelled, let (at, value) = next(from) {
            try await clock.sleep(until: clock.now.advanced(by: max(.zero, at.duration(since: now()))), tolerance: nil)
            try await act(at, value)
            from = at
        }
    }
}
