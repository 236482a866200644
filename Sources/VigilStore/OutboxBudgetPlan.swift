import Foundation
import VigilCore

/// One budgeted claim decided over the outbox, inside the claim's transaction: which due rows
/// to post now, which alerts to fold into a summary, which rows wait for room.
///
/// Per channel, the posts delivered individually in the last window (summaries and folded rows
/// excluded) and the rows in flight under a live lease use its budget. Due rows are taken most
/// urgent first: a legal-clock breach (and a summary) is claimed whatever the room, everything
/// else only while there is room. Beyond it, alerts are folded into one summary unless one was
/// already written in the window (at most budget + one summary per window), or there is a single
/// one; other posts (lifecycle, digests) wait for room, unless they alone are an extreme flood
/// (more than ``ChannelBudget/extremeFloodWindows`` windows' worth), when they are folded too.
///
/// Every read walks or searches a partial index, in order and never the table (migration 9;
/// `SQLiteOutboxPlanTests` holds each query to its plan), so a pass costs about the rows it
/// decides on, not the backlog or the window's posts.
///
/// The decision is ``Planner``, apart from the reads: ``make(budget:now:limit:in:)`` feeds it on
/// SQLite, and the PostgreSQL store feeds it from its own reads of the same indexes, so both
/// adapters decide alike.
struct OutboxBudgetPlan {
    /// Rows to lease and post one by one, in delivery order, at most the claim's limit.
    var claim: [Int64] = []
    /// Alerts to fold, per channel.
    var overflow: [OutboxOverflow] = []
    /// Rows that wait for the window to have room, and until when (milliseconds).
    var waiting: [(ids: [Int64], until: Int64)] = []

    /// How many due rows past the claim's first `limit` one pass looks at once a channel is at
    /// its budget. A larger backlog is folded or put back over several passes, each reading and
    /// writing at most `limit` + this many rows: a pass that read up to 100,000 took 200 ms at a
    /// backlog of 50,000, all of it under the write lock.
    static let overflowScanLimit = 5_000

    /// A due row as the plan reads it.
    struct Due {
        let id: Int64
        let channel: String
        let incident: Int?
        let priority: OutboxPriority
        /// The stored priority, which orders the scan (a value no build knows reads as `.other`).
        let rank: Int

        /// The row in `row`'s columns `id, channel, incident, priority` (as ``dueSQL`` selects
        /// them), or `nil` without an id.
        init?<Row: StoreRow>(_ row: Row) {
            guard let id = row.int64(0) else { return nil }
            let rank = row.int64(3).map { Int($0) } ?? 0
            self.id = id
            channel = row.text(1) ?? ""
            incident = row.isNull(2) ? nil : row.int64(2).map { Int($0) }
            priority = OutboxPriority(rawValue: rank) ?? .other
            self.rank = rank
        }
    }

    /// One channel's use of its budget in the window.
    struct Ledger {
        /// Posts in the window plus rows in flight, each counted only up to the budget: only
        /// whether it is under the budget matters.
        var used = 0
        var summaryInWindow = false
    }

    /// The decision itself, apart from the reads that feed it, so both adapters decide alike:
    /// an adapter reads the ledgers, hands the planner the first `limit` due rows, reads on past
    /// them when ``readOn(after:)`` says so and hands those over too, then ``finish(oldestPost:)``.
    struct Planner {
        let budget: ChannelBudget
        let now: Int64
        let limit: Int
        /// The window's length in milliseconds, at least 1.
        let window: Int64
        private var ledgers: [String: Ledger]
        private var plan = OutboxBudgetPlan()
        private var over: [String: [Due]] = [:]

        /// The start of the window: posts delivered after it count.
        var since: Int64 { now - window }

        /// `ledgers` is each channel's use of the budget in the window `(since, now]`; a channel
        /// missing from it has used none.
        init(budget: ChannelBudget, now: Int64, limit: Int, ledgers: [String: Ledger]) {
            self.budget = budget
            self.now = now
            self.limit = limit
            self.window = OutboxBudgetPlan.window(budget)
            self.ledgers = ledgers
        }

        /// Takes due rows, in the scan's order.
        mutating func take(_ rows: [Due]) {
            for row in rows { take(row) }
        }

        private mutating func take(_ row: Due) {
            var ledger = ledgers[row.channel, default: Ledger()]
            // A channel no build knows is claimed so the read dead-letters it, as without a budget.
            if row.priority.bypassesBudget || ledger.used < budget.posts || ChannelRole(rawValue: row.channel) == nil {
                // A row that fits but finds the claim full is left as it is for the next pass: it
                // uses no room now, so rows behind it are not pushed back a window, and a backlog
                // under budget costs a pass no writes beyond the rows it claims.
                guard plan.claim.count < limit else { return }
                if row.priority != .summary { ledger.used += 1 }
                plan.claim.append(row.id)
            } else {
                over[row.channel, default: []].append(row)
            }
            ledgers[row.channel] = ledger
        }

        /// After the first `limit` due rows (`first`, already taken): the row to read on past, in
        /// the same order, for the rows to fold or hold back, or `nil` when the rest of the
        /// backlog would change nothing. Once the claim is full, a row of a channel still under
        /// its budget is only left for the next pass: when every channel is under it, the rest
        /// is not read.
        func readOn(after first: [Due]) -> Due? {
            let atBudget = ChannelRole.allCases.contains { ledgers[$0.rawValue, default: Ledger()].used >= budget.posts }
            guard first.count == limit, atBudget else { return nil }
            return first.last
        }

        /// The plan: per channel over its budget, the alerts to fold and the rows that wait.
        /// `oldestPost` answers when a channel's oldest post since ``since`` was delivered
        /// (milliseconds), if any; it is asked only for channels with rows that wait.
        func finish(oldestPost: (ChannelRole) throws -> Int64?) rethrows -> OutboxBudgetPlan {
            var plan = plan
            for channel in ChannelRole.allCases {
                guard let rows = over[channel.rawValue], !rows.isEmpty else { continue }
                let ledger = ledgers[channel.rawValue, default: Ledger()]
                let others = rows.count(where: { $0.priority == .other })
                let foldOthers = others > budget.posts * ChannelBudget.extremeFloodWindows
                var fold = rows.filter { $0.priority.isCoalescable || (foldOthers && $0.priority == .other) }
                var wait = rows.filter { !($0.priority.isCoalescable || (foldOthers && $0.priority == .other)) }
                if ledger.summaryInWindow || fold.count < 2 {
                    wait += fold
                    fold = []
                }
                if !fold.isEmpty {
                    var counts: [OutboxPriority: Int] = [:]
                    for row in fold { counts[row.priority, default: 0] += 1 }
                    plan.overflow.append(OutboxOverflow(
                        channel: channel, ids: fold.map(\.id), incidents: Array(Set(fold.compactMap(\.incident))).sorted(),
                        counts: counts))
                }
                if !wait.isEmpty {
                    // Room comes back when the window's oldest post leaves it.
                    let oldest = try oldestPost(channel)
                    plan.waiting.append((wait.map(\.id), max(now + 1, (oldest ?? now) + window)))
                }
            }
            return plan
        }
    }

    /// A budget's window in milliseconds, at least 1.
    static func window(_ budget: ChannelBudget) -> Int64 { max(1, budget.window.milliseconds) }

    static func make(budget: ChannelBudget, now: Int64, limit: Int, in database: SQLiteDatabase) throws -> OutboxBudgetPlan {
        let since = now - window(budget)
        var planner = Planner(
            budget: budget, now: now, limit: limit, ledgers: try ledgers(since: since, now: now, posts: budget.posts, in: database))

        // The first `limit` due rows; then, if a channel is at its budget, on past them.
        let first = try due(dueSQL, [.integer(now), .integer(now), SQLiteValue(limit)], in: database)
        planner.take(first)
        if let last = planner.readOn(after: first) {
            var rest = try due(
                dueAfterSQL, [.integer(now), .integer(now), SQLiteValue(last.rank), .integer(last.id),
                              SQLiteValue(overflowScanLimit)], in: database)
            if rest.count < overflowScanLimit {
                rest += try due(
                    dueBelowSQL, [.integer(now), .integer(now), SQLiteValue(last.rank),
                                  SQLiteValue(overflowScanLimit - rest.count)], in: database)
            }
            planner.take(rest)
        }
        return try planner.finish { channel in
            try database.queryFirst(oldestPostSQL, [.text(channel.rawValue), .integer(since)]) { $0.int64(0) } ?? nil
        }
    }

    private static func due(_ sql: String, _ bindings: [SQLiteValue], in database: SQLiteDatabase) throws -> [Due] {
        try database.query(sql, bindings) { Due($0) }.compactMap { $0 }
    }

    /// Each channel's use of its budget in the window `(since, now]`, one range of
    /// `outbox_posted` and one of `outbox_leased` per channel (a GROUP BY would read, and sort,
    /// all of either index).
    private static func ledgers(since: Int64, now: Int64, posts: Int, in database: SQLiteDatabase) throws -> [String: Ledger] {
        var ledgers: [String: Ledger] = [:]
        for channel in ChannelRole.allCases {
            let name = SQLiteValue.text(channel.rawValue)
            let posted = try database.queryFirst(postedSQL, [name, .integer(since), SQLiteValue(posts)]) { $0.int(0) ?? 0 } ?? 0
            let inFlight = try database.queryFirst(inFlightSQL, [name, .integer(now), SQLiteValue(posts)]) { $0.int(0) ?? 0 } ?? 0
            let summary = try database.queryFirst(summarySQL, [name, .integer(since)]) { _ in true }
            ledgers[channel.rawValue] = Ledger(used: posted + inFlight, summaryInWindow: summary == true)
        }
        return ledgers
    }

    // MARK: - Queries
    //
    // Each repeats the WHERE of the partial index it reads, literally, or SQLite will not use it.

    /// Claimable rows (see ``SQLiteIncidentStore/claimableOutbox``), most urgent first, from the
    /// top of `outbox_pending_by_priority`: `?` now, now, limit.
    static let dueSQL = """
        SELECT id, channel, incident, priority FROM outbox \(SQLiteIncidentStore.claimableOutbox)
        ORDER BY priority DESC, id LIMIT ?
        """

    /// Claimable rows after row `?` (id) within its priority `?`: now, now, priority, id, limit.
    static let dueAfterSQL = """
        SELECT id, channel, incident, priority FROM outbox \(SQLiteIncidentStore.claimableOutbox)
          AND priority = ? AND id > ?
        ORDER BY priority DESC, id LIMIT ?
        """

    /// Claimable rows of priorities below `?`, most urgent first: now, now, priority, limit.
    static let dueBelowSQL = """
        SELECT id, channel, incident, priority FROM outbox \(SQLiteIncidentStore.claimableOutbox)
          AND priority < ?
        ORDER BY priority DESC, id LIMIT ?
        """

    /// How many posts channel `?` had delivered one by one since `?`, counted up to `?` (the budget).
    static let postedSQL = """
        SELECT count(*) FROM (
            SELECT 1 FROM outbox
            WHERE state = 'delivered' AND coalesced_into IS NULL AND priority <> \(OutboxPriority.summary.rawValue)
              AND channel = ? AND delivered_at_ms > ?
            LIMIT ?)
        """

    /// When channel `?`'s oldest post since `?` was delivered.
    static let oldestPostSQL = """
        SELECT delivered_at_ms FROM outbox
        WHERE state = 'delivered' AND coalesced_into IS NULL AND priority <> \(OutboxPriority.summary.rawValue)
          AND channel = ? AND delivered_at_ms > ?
        ORDER BY delivered_at_ms LIMIT 1
        """

    /// How many of channel `?`'s rows (summaries aside) are in flight under a lease live after
    /// `?` (now), counted up to `?` (the budget).
    static let inFlightSQL = """
        SELECT count(*) FROM (
            SELECT 1 FROM outbox
            WHERE state = 'pending' AND lease_until_ms IS NOT NULL AND priority <> \(OutboxPriority.summary.rawValue)
              AND channel = ? AND lease_until_ms > ?
            LIMIT ?)
        """

    /// Whether channel `?` had a summary written since `?`, from `outbox_summaries`.
    static let summarySQL = """
        SELECT 1 FROM outbox
        WHERE priority = \(OutboxPriority.summary.rawValue) AND channel = ? AND created_at_ms > ?
        LIMIT 1
        """
}
