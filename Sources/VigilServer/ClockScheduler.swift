import Foundation
import Logging
import ServiceLifecycle
import VigilCore

/// Fires SLA warnings, breach alerts, repeats and automatic escalations from the clock rows.
///
/// It sleeps until the earliest `next_fire_at` in the store (woken early when a command writes an
/// earlier one), claims due rows under a lease in a transaction so two replicas never fire one
/// twice, and fires each as one unit of work (event, alert, re-armed row), decided on the row and
/// incident as they are inside the unit's transaction; a batch's units go to the store together,
/// so they share its group commits. After a
/// restart it fires, once each, whatever came due while it was down, saying how late; a clock
/// that missed many moments (30 days of downtime, or a deadline that passed before its incident
/// was opened) fires one alert and resumes its schedule after now (see ``CatchUp``), so a
/// catch-up never floods on-call.
public final class ClockScheduler<C: Clock>: Service where C.Duration == Duration {
    /// What the scheduler needs of the store: its clock queue, units of work to fire, and the
    /// on-call overrides made from chat (alerts mention whoever is on call with them applied).
    public typealias Store = IncidentCommands & ClockQueue & OncallOverrideStore

    let store: any Store
    let policy: Policy
    let catalog: PlaybookCatalog
    let clock: C
    let now: @Sendable () -> Date
    let outboxWritten: @Sendable () -> Void
    let logger: Logger
    let worker: String
    let batchSize: Int
    let lease: Duration
    /// Where each pass is recorded for `/readyz`.
    let health: ServiceHealth?
    /// Where each claimed clock's lateness goes; none in most tests.
    let metrics: VigilMetrics?
    private let signal = WakeSignal()

    public init(
        store: any Store, policy: Policy, catalog: PlaybookCatalog, clock: C, now: @escaping @Sendable () -> Date,
        outboxWritten: @escaping @Sendable () -> Void, logger: Logger,
        worker: String = "vigil-\(ProcessInfo.processInfo.processIdentifier)", batchSize: Int = 200, lease: Duration = .seconds(30),
        health: ServiceHealth? = nil, metrics: VigilMetrics? = nil
    ) {
        self.metrics = metrics
        self.health = health
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
            clock: clock, now: now, logger: logger, name: "scheduler", health: health,
            pass: { try await fireDue() == batchSize }, nextDue: { try await store.nextClockFireAt() })
    }

    /// Claims the clocks due now and fires each; returns how many were claimed. A row that
    /// cannot be fired (the store failed on it) is logged and released, so it neither stops the
    /// rest of the batch nor stays leased until the lease runs out.
    @discardableResult
    public func fireDue() async throws -> Int {
        let start = now()
        let rows = try await store.claimDueClocks(now: start, limit: batchSize, worker: worker, leaseUntil: start.adding(lease))
        guard !rows.isEmpty else { return 0 }
        if let metrics {
            for row in rows { if let due = row.nextFireAt { metrics.schedulerLateness(start.timeIntervalSince(due)) } }
        }
        let policy = await self.policy(withOverridesAt: start)
        let alerted = await withTaskGroup(of: Bool.self) { group in
            for row in rows {
                group.addTask { await self.fireLogged(row, policy: policy) }
            }
            return await group.reduce(false) { $0 || $1 }
        }
        if alerted { outboxWritten() }
        return rows.count
    }

    /// The policy with the store's overrides in force merged in: one read per pass, not per row.
    /// If the read fails the rows still fire, naming the rotation's own people: a late or lost
    /// alert is worse than one that mentions the person the override relieved.
    private func policy(withOverridesAt now: Date) async -> Policy {
        guard !policy.oncall.isEmpty else { return policy }
        do {
            return policy.applying(try await store.oncallOverrides(activeAfter: now))
        } catch {
            logger.warning(
                "reading on-call overrides failed; alerts name the rotations without them",
                metadata: ["error": "\(String(reflecting: error))"])
            return policy
        }
    }

    /// Fires one claimed row; returns whether it wrote an alert. Never throws: a failure is
    /// logged and the row released.
    private func fireLogged(_ row: ClockRow, policy: Policy) async -> Bool {
        do {
            if let fired = try await fire(row, policy: policy) { return fired }
        } catch {
            logger.error(
                "clock firing failed; released for the next pass",
                metadata: [
                    "incident": "\(policy.displayID(row.incident))", "clock": "\(row.name)", "error": "\(String(reflecting: error))",
                ])
        }
        do {
            try await store.releaseClock(incident: row.incident, name: row.name, worker: worker)
        } catch {
            logger.error(
                "releasing a clock failed; its lease runs out on its own",
                metadata: [
                    "incident": "\(policy.displayID(row.incident))", "clock": "\(row.name)", "error": "\(String(reflecting: error))",
                ])
        }
        return false
    }

    /// Fires `claimed` as one unit of work on the row as it is now: a command may have stopped
    /// or re-armed it since the claim. Returns whether the firing wrote an alert, or `nil` when
    /// there was nothing to fire (the row is then to be released).
    private func fire(_ claimed: ClockRow, policy: Policy) async throws -> Bool? {
        let at = now()
        let catalog = catalog
        let unit = StoreUnit<ClockFiring?>(key: nil, target: .incident(claimed.incident)) { input in
            guard let incident = input.incident,
                let row = input.clocks.first(where: { $0.name == claimed.name }),
                let fireAt = row.nextFireAt, fireAt <= at,
                let firing = ClockAlerts.fire(row, incident: incident, catalog: catalog, policy: policy, now: at)
            else { return .answer(nil) }
            let work = UnitOfWork(
                incident: firing.incident, expectedSequence: firing.expectedSequence, events: firing.events, outbox: firing.outbox,
                clocks: [firing.row])
            return .write(work, firing)
        }
        guard let firing = try await store.perform(unit) else { return nil }
        for event in firing.events {
            logger.info(
                "clock fired",
                metadata: [
                    "incident": "\(policy.displayID(claimed.incident))", "clock": "\(claimed.name)", "event": "\(event.kind.rawValue)",
                    "late_ms": "\(event.payload["late_ms"] ?? "0")",
                ])
        }
        return !firing.outbox.isEmpty
    }
}
