import Foundation
import Logging
import ServiceLifecycle
import VigilCore

/// Posts the daily digest to the leads channel at the configured local time: the previous
/// local day's report (figures, breaches, the oldest incidents still open at its end).
///
/// Each digest is committed under a once-key naming its day, so a restart, a retry or a second
/// replica never posts one day twice. A digest missed while Vigil was down is posted at start if
/// its time passed less than ``catchUp`` ago; an older one is skipped (a stale digest helps
/// nobody; `/incident report` covers any day).
public final class DigestService<C: Clock>: Service where C.Duration == Duration {
    /// What the digest needs of the store: the report, and a unit of work to post it once.
    public typealias Store = IncidentCommands & ReportReads

    let store: any Store
    let policy: Policy
    let clock: C
    let now: @Sendable () -> Date
    let outboxWritten: @Sendable () -> Void
    let logger: Logger

    /// How late a missed digest may still be posted at start.
    public static var catchUp: TimeInterval { 6 * 3600 }

    public init(
        store: any Store, policy: Policy, clock: C, now: @escaping @Sendable () -> Date,
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
        guard let schedule = policy.digest else {
            // No digest configured, but stay up: the service group reads an early return as a stop.
            try? await gracefulShutdown()
            return
        }
        do {
            try await cancelWhenGracefulShutdown {
                let start = self.now()
                let missed = schedule.latest(atOrBefore: start)
                if start.timeIntervalSince(missed) < Self.catchUp { await self.postLogged(firingAt: missed) }
                try await WallClockTimes.run(
                    on: self.clock, now: self.now, after: start, next: { (at: schedule.next(after: $0), value: ()) }
                ) { at, _ in await self.postLogged(firingAt: at) }
            }
        } catch is CancellationError {
            // Shutdown interrupted the sleep: a normal end, not a failure.
        }
    }

    /// Posts, logging a failure instead of stopping the service: tomorrow's digest still matters.
    func postLogged(firingAt firing: Date) async {
        do {
            try await post(firingAt: firing)
        } catch {
            logger.error("daily digest failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Commits the digest for the firing at `firing` to the outbox (once per reported day).
    public func post(firingAt firing: Date) async throws {
        guard let schedule = policy.digest else { return }
        let day = schedule.reportedDay(firingAt: firing)
        let period = ReportPeriod(since: day.start(in: schedule.timeZone), until: day.next.start(in: schedule.timeZone), label: day.description)
        let export = ReportExport(store: store, policy: policy)
        let report = try await export.report(period, now: firing, breachLimit: 10)
        let message = ReportText(policy: policy, now: firing, showsRestrictedTitles: false).message(report, title: "Daily digest")
        let item = OutboxItem(channel: .leads, incident: nil, message: message)
        let posted = try await store.perform(StoreUnit<Bool>(key: .once("digest:\(day)"), target: .none) { input in
            input.alreadyDone ? .answer(false) : .write(UnitOfWork(outbox: [item]), true)
        })
        guard posted else { return }
        outboxWritten()
        logger.info("daily digest posted", metadata: ["day": "\(day)"])
    }
}
