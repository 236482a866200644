import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Wakes a sleeping service early: `notify()` from any task ends the current or next `wait()`.
///
/// A notification that arrives while nobody waits is remembered, so a row written between a
/// service's check and its sleep is never missed.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init() {}

    func notify() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns at the next notification (or at once if one is pending), or when cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    /// Sleeps on `clock` until `deadline` or the next notification, whichever is first.
    func wait<C: Clock>(until deadline: C.Instant, on clock: C) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(until: deadline, tolerance: nil) }
            group.addTask { await self.wait() }
            await group.next()
            group.cancelAll()
        }
    }
}

extension WakeSignal {
    /// The longest a due-work loop sleeps: the bound on how late work is that no notice
    /// announced (another replica's lease that ran out, a lost `NOTIFY`).
    static let longestSleep = Duration.seconds(60)

    /// The loop of a service driven by rows with due times (outbox, clocks): run `pass`, then
    /// sleep until `nextDue()`, a notification or a minute, whichever is first; return once
    /// graceful shutdown begins, after the pass under way. `pass` returns `true` to go round again
    /// at once (it stopped at a full batch).
    func runDueWork<C: Clock>(
        clock: C, now: @Sendable () -> Date, logger: Logger, name: String, health: ServiceHealth? = nil,
        pass: () async throws -> Bool, nextDue: () async throws -> Date?
    ) async where C.Duration == Duration {
        health?.register(name, cycle: Self.longestSleep)
        await withGracefulShutdownHandler {
            // Graceful shutdown does not cancel the task: the handler below wakes the sleep and
            // the loop sees the shutdown.
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                do {
                    if try await pass() {
                        health?.succeeded(name, at: now())
                        continue
                    }
                    let due = try await nextDue()
                    health?.succeeded(name, at: now())
                    // A minute at most: another replica's lease may expire, or its notice be
                    // lost, without any signal here.
                    let wait = due.map { max(.zero, $0.duration(since: now())) } ?? Self.longestSleep
                    await self.wait(until: clock.now.advanced(by: min(wait, Self.longestSleep)), on: clock)
                } catch {
                    health?.failed(name, at: now(), error: "\(error)")
                    logger.error("\(name) pass failed", metadata: ["error": "\(String(reflecting: error))"])
                    await self.wait(until: clock.now.advanced(by: .seconds(1)), on: clock)
                }
            }
        } onGracefulShutdown: {
            self.notify()
        }
    }
}
