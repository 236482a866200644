import Foundation
import VigilCore

// MARK: - Outbox

/// Outbox rows move `pending` → `delivered` or `pending` → `dead`. A pending row is claimable when
/// its next attempt is due and it holds no live lease; claiming and every change happen in a
/// transaction, so two workers (or two processes on one file) never hold one row at once.
///
/// A row folded into a summary by the channel budget is `delivered` with `coalesced_into` set to
/// the summary's id: delivered by coalescing, never silently dropped.
///
/// A reply row's `destination` holds its address's credential: every change that finishes a row
/// (delivered, folded, dead) sets it to NULL.
extension SQLiteIncidentStore {
    public func claimOutbox(
        now: Date, limit: Int, worker: String, leaseUntil: Date, budget: ChannelBudget?
    ) async throws -> OutboxClaim {
        guard limit > 0 else { return OutboxClaim(rows: []) }
        let now = StoreTime.milliseconds(now)
        let leaseUntil = StoreTime.milliseconds(leaseUntil)
        return try await perform("claim outbox") { database in
            try database.transaction {
                guard let budget else {
                    let ids = try database.query(Self.claimOutboxSQL, [.integer(now), .integer(now), SQLiteValue(limit)]) {
                        $0.int64(0)
                    }.compactMap { $0 }
                    return OutboxClaim(rows: try Self.lease(ids, to: worker, until: leaseUntil, now: now, in: database))
                }
                let plan = try OutboxBudgetPlan.make(budget: budget, now: now, limit: limit, in: database)
                for (ids, until) in plan.waiting {
                    for id in ids {
                        try database.run(
                            "UPDATE outbox SET next_attempt_at_ms = ? WHERE id = ? AND state = 'pending'", [.integer(until), .integer(id)])
                    }
                }
                for group in plan.overflow {
                    for id in group.ids {
                        try database.run(
                            "UPDATE outbox SET claimed_by = ?, lease_until_ms = ? WHERE id = ?",
                            [.text(worker), .integer(leaseUntil), .integer(id)])
                    }
                }
                return OutboxClaim(
                    rows: try Self.lease(plan.claim, to: worker, until: leaseUntil, now: now, in: database), overflow: plan.overflow)
            }
        }
    }

    /// Pending, due at `?` (now) and under no live lease at `?` (now). `state = 'pending'` is the
    /// WHERE of `outbox_pending_by_priority`, which holds the other columns: a claim walks that
    /// index, most urgent first, and reads the table only for the rows it takes.
    static let claimableOutbox = """
        WHERE state = 'pending' AND next_attempt_at_ms <= ?
          AND (lease_until_ms IS NULL OR lease_until_ms <= ?)
        """

    /// The claim without a budget: `?` now, now, limit.
    static let claimOutboxSQL = "SELECT id FROM outbox \(claimableOutbox) ORDER BY priority DESC, id LIMIT ?"

    /// Leases the rows `ids` (in that order) to `worker` and reads them. A row that cannot be read
    /// would be retried forever and hold up the rows behind it: it is dead-lettered, visibly,
    /// instead.
    private static func lease(_ ids: [Int64], to worker: String, until leaseUntil: Int64, now: Int64, in database: SQLiteDatabase)
        throws -> [OutboxRow]
    {
        var claimed: [OutboxRow] = []
        for id in ids {
            let read = try database.queryFirst(
                "SELECT \(StoreRows.outboxColumns.joined(separator: ", ")) FROM outbox WHERE id = ?", [.integer(id)]
            ) { row in Result { try StoreRows.outboxRow(row) } }
            switch read {
            case nil:
                continue
            case let .success(row):
                try database.run(
                    "UPDATE outbox SET claimed_by = ?, lease_until_ms = ? WHERE id = ?",
                    [.text(worker), .integer(leaseUntil), .integer(id)])
                claimed.append(row)
            case let .failure(error):
                try database.run(
                    """
                    UPDATE outbox SET state = 'dead', last_error = ?, dead_at_ms = ?,
                        claimed_by = NULL, lease_until_ms = NULL, destination = NULL
                    WHERE id = ?
                    """,
                    [.text("unreadable row: \(error)"), .integer(now), .integer(id)])
            }
        }
        return claimed
    }

    public func coalesceOutbox(_ ids: [Int64], into summary: OutboxItem, worker: String, at: Date) async throws -> Int64? {
        guard !ids.isEmpty else { return nil }
        let at = StoreTime.milliseconds(at)
        return try await perform("coalesce outbox rows") { database in
            try database.transaction {
                // Only rows still pending and still ours: one whose lease ran out may have been
                // taken, and posted, by another worker meanwhile.
                var folded: [Int64] = []
                for id in ids {
                    let ours = try database.queryFirst(
                        "SELECT 1 FROM outbox WHERE id = ? AND state = 'pending' AND claimed_by = ?", [.integer(id), .text(worker)]
                    ) { _ in true }
                    if ours == true { folded.append(id) }
                }
                guard !folded.isEmpty else { return nil }
                try Self.insertOutbox(summary, createdAt: at, in: database)
                let summaryID = database.lastInsertRowID
                for id in folded {
                    try database.run(
                        """
                        UPDATE outbox SET state = 'delivered', delivered_at_ms = ?, coalesced_into = ?,
                            claimed_by = NULL, lease_until_ms = NULL, destination = NULL
                        WHERE id = ?
                        """,
                        [.integer(at), .integer(summaryID), .integer(id)])
                }
                return summaryID
            }
        }
    }

    /// Writes one outbox row, pending and due at `createdAt`; runs inside the caller's transaction.
    static func insertOutbox(_ item: OutboxItem, createdAt: Int64, in database: SQLiteDatabase) throws {
        try database.run(StoreRows.insertOutbox, StoreRows.outboxBindings(item, createdAt: createdAt))
    }

    public func enqueue(_ item: OutboxItem, at: Date) async throws -> Int64 {
        let at = StoreTime.milliseconds(at)
        return try await perform("enqueue outbox row") { database in
            try Self.insertOutbox(item, createdAt: at, in: database)
            return database.lastInsertRowID
        }
    }

    public func markDelivered(_ ids: [Int64], at: Date) async throws {
        guard !ids.isEmpty else { return }
        let at = StoreTime.milliseconds(at)
        try await perform("mark delivered") { database in
            try database.transaction {
                for id in ids {
                    try database.run(
                        """
                        UPDATE outbox SET state = 'delivered', delivered_at_ms = ?, claimed_by = NULL, lease_until_ms = NULL,
                            destination = NULL
                        WHERE id = ? AND state <> 'delivered'
                        """,
                        [.integer(at), .integer(id)])
                    try Self.requireRow(id, changed: database.changes, in: database)
                }
            }
        }
    }

    public func reschedule(_ id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws {
        let next = StoreTime.milliseconds(nextAttemptAt)
        try await perform("reschedule outbox row") { database in
            // Only a pending row: one another worker delivered after our lease ran out stays delivered.
            try database.run(
                """
                UPDATE outbox SET attempts = ?, next_attempt_at_ms = ?, last_error = ?,
                    claimed_by = NULL, lease_until_ms = NULL
                WHERE id = ? AND state = 'pending'
                """,
                [SQLiteValue(attempts), .integer(next), .text(Self.clipped(error)), .integer(id)])
            try Self.requireRow(id, changed: database.changes, in: database)
        }
    }

    public func deadLetter(_ id: Int64, attempts: Int, error: String, at: Date) async throws {
        let at = StoreTime.milliseconds(at)
        try await perform("dead-letter outbox row") { database in
            try database.run(
                """
                UPDATE outbox SET state = 'dead', attempts = ?, last_error = ?, dead_at_ms = ?,
                    claimed_by = NULL, lease_until_ms = NULL, destination = NULL
                WHERE id = ? AND state = 'pending'
                """,
                [SQLiteValue(attempts), .text(Self.clipped(error)), .integer(at), .integer(id)])
            try Self.requireRow(id, changed: database.changes, in: database)
        }
    }

    public func nextOutboxDue() async throws -> Date? {
        try await reading("next outbox due") { database in
            // A pending row is claimable once its attempt is due and any lease on it has run out.
            // Walk `outbox_pending_by_due` in due order: the first row whose lease does not delay
            // it bounds the answer, and so does any row due after the earliest time found, since
            // every later row is due no earlier; leased rows before it are the claims in flight.
            // A min() over all rows read the whole backlog (40 ms at 50,000 rows).
            let window = 256
            let rows = try database.query(Self.nextOutboxDueSQL, [SQLiteValue(window)]) { row -> (next: Int64, lease: Int64?) in
                guard let next = row.int64(0), row.isNull(1) || row.int64(1) != nil else {
                    throw StoreError(.failure, "outbox.next_attempt_at_ms or outbox.lease_until_ms is not an integer")
                }
                return (next, row.isNull(1) ? nil : row.int64(1))
            }
            var earliest: Int64?
            for row in rows {
                if let found = earliest, row.next >= found { return StoreTime.date(found) }
                let ready = max(row.next, row.lease ?? row.next)
                earliest = min(earliest ?? ready, ready)
                if ready == row.next { return earliest.map(StoreTime.date) }
            }
            guard rows.count == window, let found = earliest, let last = rows.last else { return earliest.map(StoreTime.date) }
            // More than a window of rows leased past the next ones' due time: rare. Only rows due
            // before the earliest found can come sooner.
            let rest =
                try database.queryFirst(Self.nextOutboxDueRestSQL, [.integer(last.next), .integer(found)]) { row -> Int64? in
                    if row.isNull(0) { return nil }
                    guard let milliseconds = row.int64(0) else {
                        throw StoreError(.failure, "outbox.next_attempt_at_ms or outbox.lease_until_ms is not an integer")
                    }
                    return milliseconds
                } ?? nil
            return StoreTime.date(min(found, rest ?? found))
        }
    }

    /// Pending rows' due times and leases in due order, from `outbox_pending_by_due`: `?` limit.
    static let nextOutboxDueSQL = """
        SELECT next_attempt_at_ms, lease_until_ms FROM outbox
        WHERE state = 'pending'
        ORDER BY next_attempt_at_ms LIMIT ?
        """

    /// The earliest time a pending row due in `[?, ?)` is claimable, one range of `outbox_pending_by_due`.
    static let nextOutboxDueRestSQL = """
        SELECT min(max(next_attempt_at_ms, coalesce(lease_until_ms, next_attempt_at_ms))) FROM outbox
        WHERE state = 'pending' AND next_attempt_at_ms >= ? AND next_attempt_at_ms < ?
        """

    public func outboxHealth() async throws -> OutboxHealth {
        try await reading("outbox health") { database in
            let counts = try database.queryFirst(Self.outboxHealthSQL) { (pending: $0.int(0) ?? 0, dead: $0.int(1) ?? 0) }
            return OutboxHealth(pending: counts?.pending ?? 0, deadLettered: counts?.dead ?? 0)
        }
    }

    /// Pending and dead-lettered rows, each counted over its own partial index
    /// (`outbox_pending_by_due`, `outbox_dead`) without reading the table.
    static let outboxHealthSQL = """
        SELECT (SELECT count(*) FROM outbox WHERE state = 'pending'),
               (SELECT count(*) FROM outbox WHERE state = 'dead')
        """

    /// Fails when no row was changed because there is no such row; a row another worker already
    /// finished is left as it is.
    private static func requireRow(_ id: Int64, changed: Int, in database: SQLiteDatabase) throws {
        guard changed == 0 else { return }
        let exists = try database.queryFirst("SELECT 1 FROM outbox WHERE id = ?", [.integer(id)]) { _ in true }
        guard exists == true else { throw StoreError(.failure, "there is no outbox row \(id)") }
    }

    /// Delivery errors can quote whole response bodies; keep the row small.
    static func clipped(_ error: String) -> String {
        error.count <= 2000 ? error : String(error.prefix(2000)) + "…"
    }
}
