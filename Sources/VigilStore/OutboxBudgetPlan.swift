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
struct OutboxBudgetPlan {
    /// Rows to lease and post one by one, in delivery order, at most the claim's limit.
    var claim: [Int64] = []
    /// Alerts to fold, per channel.
    var overflow: [OutboxOverflow] = []
    /// Rows that wait for the window to have room, and until when (milliseconds).
    var waiting: [(ids: [Int64], until: Int64)] = []

    /// How many due rows one claim looks at; a larger backlog is worked through over passes.
    static let scanLimit = 100_000

    private struct Due {
        let id: Int64
        let channel: String
        let incident: Int?
        let priority: OutboxPriority
    }

    private struct Ledger {
        var used = 0
        /// When the oldest post counted in the window was delivered.
        var oldestPost: Int64?
        var summaryInWindow = false
    }

    static func make(budget: ChannelBudget, now: Int64, limit: Int, in database: SQLiteDatabase) throws -> OutboxBudgetPlan {
        let window = max(1, budget.window.milliseconds)
        let since = now - window
        var ledgers = try ledgers(since: since, now: now, in: database)
        let due = try database.query(
            "SELECT id, channel, incident, priority FROM outbox \(SQLiteIncidentStore.claimableOutbox) ORDER BY priority DESC, id LIMIT ?",
            [.integer(now), .integer(now), SQLiteValue(scanLimit)]
        ) { row -> Due? in
            guard let id = row.int64(0) else { return nil }
            return Due(
                id: id, channel: row.text(1) ?? "", incident: row.isNull(2) ? nil : row.int(2),
                priority: OutboxPriority(rawValue: row.int(3) ?? 0) ?? .other)
        }.compactMap { $0 }

        var plan = OutboxBudgetPlan()
        var over: [String: [Due]] = [:]
        for row in due {
            var ledger = ledgers[row.channel, default: Ledger()]
            // A channel no build knows is claimed so the read dead-letters it, as without a budget.
            if row.priority.bypassesBudget || ledger.used < budget.posts || ChannelRole(rawValue: row.channel) == nil {
                // A row that fits but finds the claim full is left as it is for the next pass: it
                // uses no room now, so rows behind it are not pushed back a window, and a backlog
                // under budget costs a pass no writes beyond the rows it claims.
                guard plan.claim.count < limit else { continue }
                if row.priority != .summary { ledger.used += 1 }
                plan.claim.append(row.id)
            } else {
                over[row.channel, default: []].append(row)
            }
            ledgers[row.channel] = ledger
        }

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
                    channel: channel, ids: fold.map(\.id), incidents: Array(Set(fold.compactMap(\.incident))).sorted(), counts: counts))
            }
            if !wait.isEmpty {
                // Room comes back when the window's oldest post leaves it.
                plan.waiting.append((wait.map(\.id), max(now + 1, (ledger.oldestPost ?? now) + window)))
            }
        }
        return plan
    }

    /// Each channel's use of its budget in the window `(since, now]`.
    private static func ledgers(since: Int64, now: Int64, in database: SQLiteDatabase) throws -> [String: Ledger] {
        var ledgers: [String: Ledger] = [:]
        for channel in ChannelRole.allCases {
            // One range of `outbox_posted` per channel (a GROUP BY would read the whole index).
            let posted = try database.queryFirst(
                """
                SELECT count(*), min(delivered_at_ms) FROM outbox
                WHERE channel = ? AND state = 'delivered' AND coalesced_into IS NULL AND delivered_at_ms > ?
                  AND priority <> \(OutboxPriority.summary.rawValue)
                """, [.text(channel.rawValue), .integer(since)]
            ) { row in (count: row.int(0) ?? 0, oldest: row.isNull(1) ? nil : row.int64(1)) }
            let summary = try database.queryFirst(
                """
                SELECT 1 FROM outbox
                WHERE channel = ? AND priority = \(OutboxPriority.summary.rawValue) AND created_at_ms > ? LIMIT 1
                """, [.text(channel.rawValue), .integer(since)]
            ) { _ in true }
            ledgers[channel.rawValue] = Ledger(
                used: posted?.count ?? 0, oldestPost: posted?.oldest, summaryInWindow: summary == true)
        }
        let inFlight = try database.query(
            """
            SELECT channel, count(*) FROM outbox
            WHERE state = 'pending' AND lease_until_ms > ? AND priority <> \(OutboxPriority.summary.rawValue)
            GROUP BY channel
            """, [.integer(now)]
        ) { row in (channel: row.text(0) ?? "", count: row.int(1) ?? 0) }
        for row in inFlight { ledgers[row.channel, default: Ledger()].used += row.count }
        return ledgers
    }
}
