import Foundation
import Logging
import PostgresNIO
import VigilCore

// MARK: - Outbox

/// The delivery service's queue on PostgreSQL, with the SQLite store's semantics: rows move
/// `pending` → `delivered` or `pending` → `dead`; a pending row is claimable when its next attempt
/// is due and it holds no live lease; a row folded into a summary is `delivered` with
/// `coalesced_into` set to the summary's id.
///
/// Claims pick their rows with `FOR UPDATE SKIP LOCKED`, so two replicas claiming at once pass
/// over each other's rows rather than wait on them or take them twice. A claim with a channel
/// budget also takes a transaction-scoped advisory lock (``outboxBudgetLockKey``) before it reads
/// anything: the budget counts the rows other claims have in flight, which only a committed claim
/// shows, so budgeted claims from several replicas take turns, as SQLite's writer makes them, and
/// a channel never gets its budget once per replica. The decision itself is the SQLite store's
/// (``OutboxBudgetPlan/Planner``); only its reads are written for PostgreSQL.
extension PostgresIncidentStore: OutboxQueue {
    /// The advisory lock budgeted claims take turns under (any constant unique to Vigil and apart
    /// from ``PostgresMigrations/lockKey``).
    static let outboxBudgetLockKey: Int64 = 0x7669_6769_6C01

    public func claimOutbox(
        now: Date, limit: Int, worker: String, leaseUntil: Date, budget: ChannelBudget?
    ) async throws -> OutboxClaim {
        guard limit > 0 else { return OutboxClaim(rows: []) }
        let now = StoreTime.milliseconds(now)
        let leaseUntil = StoreTime.milliseconds(leaseUntil)
        let logger = logger
        return try await writing("claim outbox") { connection in
            guard let budget else {
                let leased = try await connection.rows(
                    Self.claimOutboxSQL, [.integer(now), .integer(now), SQLiteValue(limit), .text(worker), .integer(leaseUntil)],
                    logger: logger)
                // RETURNING follows no ORDER BY: most urgent first again, then oldest.
                let ordered = leased.sorted { left, right in
                    let (a, b) = (Self.rank(left), Self.rank(right))
                    return a != b ? a > b : (left.int64(0) ?? .max) < (right.int64(0) ?? .max)
                }
                return (OutboxClaim(rows: try await Self.decode(ordered, now: now, on: connection, logger: logger)), true)
            }
            try await connection.execute("SELECT pg_advisory_xact_lock(?)", [.integer(Self.outboxBudgetLockKey)], logger: logger)
            let plan = try await Self.budgetPlan(budget, now: now, limit: limit, on: connection, logger: logger)
            for (ids, until) in plan.waiting {
                try await connection.execute(
                    "UPDATE outbox SET next_attempt_at_ms = ? WHERE id = ANY(?::bigint[]) AND state = 'pending'",
                    [.integer(until), Self.idArray(ids)], logger: logger)
            }
            for group in plan.overflow {
                try await connection.execute(
                    "UPDATE outbox SET claimed_by = ?, lease_until_ms = ? WHERE id = ANY(?::bigint[])",
                    [.text(worker), .integer(leaseUntil), Self.idArray(group.ids)], logger: logger)
            }
            var leased: [PostgresValues] = []
            if !plan.claim.isEmpty {
                leased = try await connection.rows(
                    """
                    UPDATE outbox SET claimed_by = ?, lease_until_ms = ? WHERE id = ANY(?::bigint[])
                    RETURNING \(StoreRows.outboxColumns.joined(separator: ", "))
                    """,
                    [.text(worker), .integer(leaseUntil), Self.idArray(plan.claim)], logger: logger)
            }
            // In the plan's order.
            let position = Dictionary(plan.claim.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            let ordered = leased.sorted { (position[$0.int64(0) ?? -1] ?? .max) < (position[$1.int64(0) ?? -1] ?? .max) }
            let rows = try await Self.decode(ordered, now: now, on: connection, logger: logger)
            return (OutboxClaim(rows: rows, overflow: plan.overflow), true)
        }
    }

    /// The claim without a budget: `?` now, now, limit, worker, lease end. The rows SQLite's claim
    /// takes (``SQLiteIncidentStore/claimOutboxSQL``, from the top of
    /// `outbox_pending_by_priority`), less those another transaction holds, leased and returned.
    static let claimOutboxSQL = """
        WITH due AS (\(SQLiteIncidentStore.claimOutboxSQL) FOR UPDATE SKIP LOCKED)
        UPDATE outbox AS o SET claimed_by = ?, lease_until_ms = ?
        FROM due WHERE o.id = due.id
        RETURNING \(StoreRows.outboxColumns.map { "o.\($0)" }.joined(separator: ", "))
        """

    /// A returned row's stored priority.
    private static func rank(_ row: PostgresValues) -> Int64 {
        row.int64(StoreRows.outboxColumns.firstIndex(of: "priority") ?? 6) ?? 0
    }

    /// `ids` as one `bigint[]` parameter (bound as text, cast in the statement: `ANY(?::bigint[])`).
    static func idArray(_ ids: [Int64]) -> SQLiteValue {
        .text("{" + ids.map(String.init).joined(separator: ",") + "}")
    }

    /// The leased rows `leased` (in their order) as outbox rows. A row that cannot be read would
    /// be retried forever and hold up the rows behind it: it is dead-lettered, visibly, instead.
    private static func decode(
        _ leased: [PostgresValues], now: Int64, on connection: PostgresConnection, logger: Logger
    ) async throws -> [OutboxRow] {
        var claimed: [OutboxRow] = []
        for row in leased {
            do {
                claimed.append(try StoreRows.outboxRow(row))
            } catch {
                guard let id = row.int64(0) else { continue }
                try await connection.execute(
                    """
                    UPDATE outbox SET state = 'dead', last_error = ?, dead_at_ms = ?,
                        claimed_by = NULL, lease_until_ms = NULL, destination = NULL
                    WHERE id = ?
                    """,
                    [.text("unreadable row: \(error)"), .integer(now), .integer(id)], logger: logger)
            }
        }
        return claimed
    }

    // MARK: - The budgeted claim's reads

    /// Reads what ``OutboxBudgetPlan/Planner`` decides on, as SQLite's
    /// ``OutboxBudgetPlan/make(budget:now:limit:in:)`` does: the ledgers, then the due rows most
    /// urgent first, locked as they are read and skipping rows another transaction holds.
    private static func budgetPlan(
        _ budget: ChannelBudget, now: Int64, limit: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> OutboxBudgetPlan {
        let since = now - OutboxBudgetPlan.window(budget)
        var ledgers: [String: OutboxBudgetPlan.Ledger] = [:]
        var oldestPost: [String: Int64] = [:]
        let posts = SQLiteValue(budget.posts)
        for row in try await connection.rows(
            ledgersSQL, [.integer(since), posts, .integer(now), posts, .integer(since), .integer(since)], logger: logger)
        {
            guard let channel = row.text(0) else { continue }
            ledgers[channel] = OutboxBudgetPlan.Ledger(
                used: Int((row.int64(1) ?? 0) + (row.int64(2) ?? 0)), summaryInWindow: row.int64(3) == 1)
            if let oldest = row.int64(4) { oldestPost[channel] = oldest }
        }
        var planner = OutboxBudgetPlan.Planner(budget: budget, now: now, limit: limit, ledgers: ledgers)

        func due(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [OutboxBudgetPlan.Due] {
            try await connection.rows(sql + "\nFOR UPDATE SKIP LOCKED", bindings, logger: logger).compactMap { OutboxBudgetPlan.Due($0) }
        }
        let first = try await due(OutboxBudgetPlan.dueSQL, [.integer(now), .integer(now), SQLiteValue(limit)])
        planner.take(first)
        if let last = planner.readOn(after: first) {
            let scan = OutboxBudgetPlan.overflowScanLimit
            var rest = try await due(
                OutboxBudgetPlan.dueAfterSQL,
                [.integer(now), .integer(now), SQLiteValue(last.rank), .integer(last.id), SQLiteValue(scan)])
            if rest.count < scan {
                rest += try await due(
                    OutboxBudgetPlan.dueBelowSQL, [.integer(now), .integer(now), SQLiteValue(last.rank), SQLiteValue(scan - rest.count)])
            }
            planner.take(rest)
        }
        return planner.finish { oldestPost[$0.rawValue] }
    }

    /// Every channel's use of its budget, in one statement: per channel, the posts delivered one
    /// by one since `?` counted up to `?` (the budget), from `outbox_posted`; the rows (summaries
    /// aside) in flight under a lease live after `?` (now) counted up to `?`, from
    /// `outbox_leased`; whether a summary was written since `?`, from `outbox_summaries`; and when
    /// its oldest post since `?` was delivered, from `outbox_posted` again. Each subquery repeats
    /// its partial index's WHERE and searches one channel's range of it.
    static let ledgersSQL = """
        SELECT c.channel,
            (SELECT count(*) FROM (
                SELECT 1 FROM outbox
                WHERE state = 'delivered' AND coalesced_into IS NULL AND priority <> \(OutboxPriority.summary.rawValue)
                  AND channel = c.channel AND delivered_at_ms > ?
                LIMIT ?) AS posted),
            (SELECT count(*) FROM (
                SELECT 1 FROM outbox
                WHERE state = 'pending' AND lease_until_ms IS NOT NULL AND priority <> \(OutboxPriority.summary.rawValue)
                  AND channel = c.channel AND lease_until_ms > ?
                LIMIT ?) AS leased),
            EXISTS (
                SELECT 1 FROM outbox
                WHERE priority = \(OutboxPriority.summary.rawValue) AND channel = c.channel AND created_at_ms > ?),
            (SELECT min(delivered_at_ms) FROM outbox
             WHERE state = 'delivered' AND coalesced_into IS NULL AND priority <> \(OutboxPriority.summary.rawValue)
               AND channel = c.channel AND delivered_at_ms > ?)
        FROM (VALUES \(ChannelRole.allCases.map { "('\($0.rawValue)')" }.joined(separator: ", "))) AS c (channel)
        """

    // MARK: - Coalescing, outcomes

    public func coalesceOutbox(_ ids: [Int64], into summary: OutboxItem, worker: String, at: Date) async throws -> Int64? {
        guard !ids.isEmpty else { return nil }
        let at = StoreTime.milliseconds(at)
        let logger = logger
        return try await writing("coalesce outbox rows") { connection in
            // Only rows still pending and still ours: one whose lease ran out may have been
            // taken, and posted, by another worker meanwhile. Locked, so none is taken now.
            let ours = Set(
                try await connection.rows(
                    "SELECT id FROM outbox WHERE id = ANY(?::bigint[]) AND state = 'pending' AND claimed_by = ? FOR UPDATE",
                    [Self.idArray(ids), .text(worker)], logger: logger
                ).compactMap { $0.int64(0) })
            let folded = ids.filter { ours.contains($0) }
            guard !folded.isEmpty else { return (nil, false) }
            try await Self.insertOutbox(summary, createdAt: at, on: connection, logger: logger)
            guard
                let summaryID = try await connection.rows(
                    "SELECT currval(pg_get_serial_sequence('outbox', 'id'))", logger: logger
                ).first?.int64(0)
            else { throw StoreError(.failure, "the summary's outbox id could not be read") }
            try await connection.execute(
                """
                UPDATE outbox SET state = 'delivered', delivered_at_ms = ?, coalesced_into = ?,
                    claimed_by = NULL, lease_until_ms = NULL, destination = NULL
                WHERE id = ANY(?::bigint[])
                """,
                [.integer(at), .integer(summaryID), Self.idArray(folded)], logger: logger)
            // The summary is a new pending row: wake the other replicas' delivery.
            try await Self.notify(UnitChanges(outbox: true), on: connection, logger: logger)
            return (summaryID, true)
        }
    }

    public func enqueue(_ item: OutboxItem, at: Date) async throws -> Int64 {
        let at = StoreTime.milliseconds(at)
        let logger = logger
        return try await writing("enqueue outbox row") { connection in
            guard
                let id = try await connection.rows(
                    StoreRows.insertOutbox + " RETURNING id", StoreRows.outboxBindings(item, createdAt: at), logger: logger
                ).first?.int64(0)
            else { throw StoreError(.failure, "the new outbox row's id could not be read") }
            // A new pending row: wake the other replicas' delivery, as a unit's posts do.
            try await Self.notify(UnitChanges(outbox: true), on: connection, logger: logger)
            return (id, true)
        }
    }

    public func markDelivered(_ ids: [Int64], at: Date) async throws {
        guard !ids.isEmpty else { return }
        let at = StoreTime.milliseconds(at)
        let logger = logger
        try await writing("mark delivered") { connection in
            let marked = try await connection.rows(
                """
                UPDATE outbox SET state = 'delivered', delivered_at_ms = ?, claimed_by = NULL, lease_until_ms = NULL,
                    destination = NULL
                WHERE id = ANY(?::bigint[]) AND state <> 'delivered'
                RETURNING id
                """,
                [.integer(at), Self.idArray(ids)], logger: logger)
            let changed = Set(marked.compactMap { $0.int64(0) })
            try await Self.requireRows(ids.filter { !changed.contains($0) }, on: connection, logger: logger)
            return ((), true)
        }
    }

    public func reschedule(_ id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws {
        let next = StoreTime.milliseconds(nextAttemptAt)
        let logger = logger
        try await writing("reschedule outbox row") { connection in
            // Only a pending row: one another worker delivered after our lease ran out stays delivered.
            let changed = try await connection.rows(
                """
                UPDATE outbox SET attempts = ?, next_attempt_at_ms = ?, last_error = ?,
                    claimed_by = NULL, lease_until_ms = NULL
                WHERE id = ? AND state = 'pending'
                RETURNING id
                """,
                [SQLiteValue(attempts), .integer(next), .text(SQLiteIncidentStore.clipped(error)), .integer(id)], logger: logger)
            if changed.isEmpty { try await Self.requireRows([id], on: connection, logger: logger) }
            return ((), true)
        }
    }

    public func deadLetter(_ id: Int64, attempts: Int, error: String, at: Date) async throws {
        let at = StoreTime.milliseconds(at)
        let logger = logger
        try await writing("dead-letter outbox row") { connection in
            let changed = try await connection.rows(
                """
                UPDATE outbox SET state = 'dead', attempts = ?, last_error = ?, dead_at_ms = ?,
                    claimed_by = NULL, lease_until_ms = NULL, destination = NULL
                WHERE id = ? AND state = 'pending'
                RETURNING id
                """,
                [SQLiteValue(attempts), .text(SQLiteIncidentStore.clipped(error)), .integer(at), .integer(id)], logger: logger)
            if changed.isEmpty { try await Self.requireRows([id], on: connection, logger: logger) }
            return ((), true)
        }
    }

    /// Fails, naming the first of `ids` (rows no update changed) that does not exist; a row
    /// another worker already finished is left as it is.
    private static func requireRows(_ ids: [Int64], on connection: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        let existing = Set(
            try await connection.rows("SELECT id FROM outbox WHERE id = ANY(?::bigint[])", [idArray(ids)], logger: logger)
                .compactMap { $0.int64(0) })
        if let missing = ids.first(where: { !existing.contains($0) }) {
            throw StoreError(.failure, "there is no outbox row \(missing)")
        }
    }

    // MARK: - When next

    public func nextOutboxDue() async throws -> Date? {
        let logger = logger
        return try await reading("next outbox due") { connection in
            let row = try await connection.rows(Self.nextOutboxDueSQL, logger: logger).first
            guard let row, !row.isNull(0) else { return nil }
            guard let milliseconds = row.int64(0) else {
                throw StoreError(.failure, "outbox.next_attempt_at_ms or outbox.lease_until_ms is not an integer")
            }
            return StoreTime.date(milliseconds)
        }
    }

    /// The earliest time a pending row is claimable: its next attempt, or its lease's end if
    /// later. The first row in `outbox_pending_by_due` order whose lease does not delay it
    /// (`free`) bounds the answer; only rows due before it can come sooner, by their lease's end,
    /// and those are the claims in flight. Both walks stop there, so the query reads about as
    /// many rows as are in flight, not the backlog.
    static let nextOutboxDueSQL = """
        WITH free AS (
            SELECT next_attempt_at_ms AS at FROM outbox
            WHERE state = 'pending' AND (lease_until_ms IS NULL OR lease_until_ms <= next_attempt_at_ms)
            ORDER BY next_attempt_at_ms LIMIT 1)
        SELECT LEAST(
            (SELECT at FROM free),
            (SELECT min(lease_until_ms) FROM outbox
             WHERE state = 'pending' AND lease_until_ms > next_attempt_at_ms
               AND next_attempt_at_ms < coalesce((SELECT at FROM free), 9223372036854775807)))
        """
}
