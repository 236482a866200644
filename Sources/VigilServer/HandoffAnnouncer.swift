import Foundation
import Logging
import ServiceLifecycle
import VigilCore

/// Posts a hand-off message to the on-call channel at each change of shift, so on-call knows it
/// is their turn. Changes are computed from the schedules in config (pure rotation maths); only
/// changes that happen while Vigil runs are announced.
public final class HandoffAnnouncer<C: Clock>: Service where C.Duration == Duration {
    let store: any IncidentCommands
    let policy: Policy
    let clock: C
    let now: @Sendable () -> Date
    let outboxWritten: @Sendable () -> Void
    let logger: Logger

    public init(
        store: any IncidentCommands, policy: Policy, clock: C, now: @escaping @Sendable () -> Date,
        outboxWritten: @escaping @Sendable () -> Void, logger: Logger
    ) {
        self.store = store
        self.policy = policy
        self.clock = clock
        self.now = now
        self.outboxWritten = outboxWritten
        self.logger = logger
    }

    public func run() async throws {
        guard !policy.oncall.isEmpty else {
            // Nothing to announce, but stay up: the service group reads an early return as a stop.
            try? await gracefulShutdown()
            return
        }
        do {
            try await cancelWhenGracefulShutdown {
                try await WallClockTimes.run(
                    on: self.clock, now: self.now, after: self.now(),
                    next: { from in self.nextChange(after: from).map { (at: $0.1, value: $0.0) } }
                ) { at, schedule in try await self.announce(schedule, at: at) }
                // No more changes (every schedule ended): stay up until shutdown all the same.
                if !Task.isCancelled { try await gracefulShutdown() }
            }
        } catch is CancellationError {
            // Shutdown interrupted the sleep: a normal end, not a failure.
        }
    }

    /// The earliest change of shift after `date` across all schedules.
    func nextChange(after date: Date) -> (OncallSchedule, Date)? {
        policy.oncall.compactMap { schedule in schedule.nextChange(after: date).map { (schedule, $0) } }
            .min { $0.1 < $1.1 }
    }

    /// The hand-off post for `schedule` at `at`, written to the outbox like every other post.
    public func announce(_ schedule: OncallSchedule, at: Date) async throws {
        guard let message = Self.message(for: schedule, at: at, policy: policy) else { return }
        // One key per hand-off: a second replica, or a retry, cannot post it twice.
        let key = "handoff:\(schedule.name):\(Int64((at.timeIntervalSince1970 * 1000).rounded()))"
        let item = OutboxItem(channel: .oncall, incident: nil, message: message)
        let posted = try await store.perform(StoreUnit<Bool>(key: .once(key), target: .none) { input in
            input.alreadyDone ? .answer(false) : .write(UnitOfWork(outbox: [item]), true)
        })
        guard posted else { return }
        outboxWritten()
        logger.info("on-call hand-off announced", metadata: ["schedule": "\(schedule.name)"])
    }

    /// `🔁 ts-primary: @ben is on call now, until Dec 7 09:00 PST (after @ava). Next: @cas.`
    public static func message(for schedule: OncallSchedule, at: Date, policy: Policy) -> Message? {
        let shifts = schedule.shifts(from: at, count: 2)
        guard let current = shifts.first else { return nil }
        let text = IncidentText(policy: policy, now: at)
        let before = schedule.shift(at: at.addingTimeInterval(-1))
        var line: [Span] = [.text("🔁 \(schedule.name): "), .mention(current.person), .text(" is on call now, until \(text.time(current.end))")]
        if let before, !before.person.isSamePerson(as: current.person) {
            line += [.text(" (after "), .mention(before.person), .text(")")]
        }
        if shifts.count > 1 { line += [.text(". Next: "), .mention(shifts[1].person)] }
        return Message(lines: [line])
    }
}
