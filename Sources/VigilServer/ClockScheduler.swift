import Foundation
import Logging
import ServiceLifecycle
import VigilCore

/// Fires SLA warnings, breach alerts, repeats and automatic escalations from the clock rows.
///
/// It sleeps until the earliest `next_fire_at` in the store (woken early when a command writes an
/// earlier one), claims due rows under a lease in a transaction so two replicas never fire one
/// twice, and commits each firing (event, alert, re-armed row) in one transaction. After a
/// restart it fires, once each, whatever came due while it was down, saying how late; a clock
/// that missed many moments (30 days of downtime, or a deadline that passed before its incident
/// was opened) fires one alert and resumes its schedule after now (see ``CatchUp``), so a
/// catch-up never floods on-call.
public final class ClockScheduler<C: Clock>: Service where C.Duration == Duration {
    let store: any IncidentStore
    let policy: Policy
    let catalog: PlaybookCatalog
    let clock: C
    let now: @Sendable () -> Date
    let outboxWritten: @Sendable () -> Void
    let logger: Logger
    let worker: String
    let batchSize: Int
    let lease: Duration
    private let signal = WakeSignal()

    public init(
        store: any IncidentStore, policy: Policy, catalog: PlaybookCatalog, clock: C, now: @escaping @Sendable () -> Date,
        outboxWritten: @escaping @Sendable () -> Void, logger: Logger,
        worker: String = "vigil-\(ProcessInfo.processInfo.processIdentifier)", batchSize: Int = 200, lease: Duration = .seconds(30)
    ) {
        self.store = store
        self.policy = policy
        self.catalog = catalog
        self.clock = clock
        self.now = now
        self.outboxWritten = outboxWritten
        self.logger = logger
        self.worker = worker
        self.batchSize = batchSize
        self.lease = lease
    }

    /// Wakes the scheduler: a command wrote clock rows that may fire earlier than it planned.
    public func notify() { signal.notify() }

    public func run() async throws {
        // A full batch means more may be due: go round again without sleeping.
        await signal.runDueWork(
            clock: clock, now: now, logger: logger, name: "clock",
            pass: { try await fireDue() == batchSize }, nextDue: { try await store.nextClockFireAt() })
    }

    /// Claims the clocks due now and fires each; returns how many were claimed.
    @discardableResult
    public func fireDue() async throws -> Int {
        let start = now()
        let rows = try await store.claimDueClocks(now: start, limit: batchSize, worker: worker, leaseUntil: start.adding(lease))
        var alerted = false
        for row in rows {
            alerted = try await fire(row) || alerted
        }
        if alerted { outboxWritten() }
        return rows.count
    }

    /// Fires one claimed row; retries once on a write race with a command on the same incident.
    private func fire(_ claimed: ClockRow) async throws -> Bool {
        var row = claimed
        for attempt in 1...2 {
            guard let incident = try await store.incident(row.incident) else {
                try await store.releaseClock(incident: row.incident, name: row.name, worker: worker)
                return false
            }
            let at = now()
            guard let firing = ClockAlerts.fire(row, incident: incident, catalog: catalog, policy: policy, now: at) else {
                try await store.releaseClock(incident: row.incident, name: row.name, worker: worker)
                return false
            }
            let work = UnitOfWork(
                requestID: nil, reply: Reply.ephemeral(""), incident: firing.incident, expectedSequence: firing.expectedSequence,
                events: firing.events, outbox: firing.outbox, clocks: [firing.row])
            do {
                try await store.commit(work)
                for event in firing.events {
                    logger.info("clock fired", metadata: [
                        "incident": "\(policy.displayID(incident.number))", "clock": "\(row.name)", "event": "\(event.kind.rawValue)",
                        "late_ms": "\(event.payload["late_ms"] ?? "0")",
                    ])
                }
                return !firing.outbox.isEmpty
            } catch let error as StoreError where error.kind == .conflict && attempt == 1 {
                // A command changed the incident (perhaps stopping this clock) since we read it.
                guard let fresh = try await store.clocks(of: row.incident).first(where: { $0.name == row.name }),
                      fresh.state == .running
                else { return false }
                row = fresh
            }
        }
        try await store.releaseClock(incident: row.incident, name: row.name, worker: worker)
        return false
    }
}
