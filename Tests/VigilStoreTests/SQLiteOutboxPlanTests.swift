import Foundation
import Testing
import VigilCore
@testable import VigilStore

/// The outbox's reads under load (migration 9): each claim, due scan, budget ledger,
/// `nextOutboxDue` and `outboxHealth` query reads an index range or walks a partial index in
/// its order, never a sort over the backlog or the table itself; and a budgeted claim over
/// thousands of rows decides what the plain rules say.
@Suite("SQLiteIncidentStore: outbox query plans")
struct SQLiteOutboxPlanTests {
    /// One query and the plan it must have.
    struct Expected: Sendable, CustomStringConvertible {
        let name: String
        let sql: String
        /// The index every step over `outbox` reads, without the table.
        let index: String
        /// A `SCAN` (a walk from the index's start) is allowed: an ordered walk that stops at
        /// its LIMIT, or a count over a partial index that holds only the rows counted.
        var scan = false
        /// The index holds the columns the query reads; false only for `summarySQL`, whose
        /// LIMIT 1 reads at most one row.
        var covering = true

        var description: String { name }
    }

    static let queries: [Expected] = [
        Expected(
            name: "claim without a budget", sql: SQLiteIncidentStore.claimOutboxSQL, index: "outbox_pending_by_priority", scan: true),
        Expected(name: "budgeted due scan", sql: OutboxBudgetPlan.dueSQL, index: "outbox_pending_by_priority", scan: true),
        Expected(name: "due scan, rest of a priority", sql: OutboxBudgetPlan.dueAfterSQL, index: "outbox_pending_by_priority"),
        Expected(name: "due scan, lower priorities", sql: OutboxBudgetPlan.dueBelowSQL, index: "outbox_pending_by_priority"),
        Expected(name: "posts in the window", sql: OutboxBudgetPlan.postedSQL, index: "outbox_posted"),
        Expected(name: "oldest post in the window", sql: OutboxBudgetPlan.oldestPostSQL, index: "outbox_posted"),
        Expected(name: "rows in flight", sql: OutboxBudgetPlan.inFlightSQL, index: "outbox_leased"),
        Expected(name: "summary in the window", sql: OutboxBudgetPlan.summarySQL, index: "outbox_summaries", covering: false),
        Expected(name: "next due, walk", sql: SQLiteIncidentStore.nextOutboxDueSQL, index: "outbox_pending_by_due", scan: true),
        Expected(name: "next due, rest", sql: SQLiteIncidentStore.nextOutboxDueRestSQL, index: "outbox_pending_by_due"),
    ]

    /// The `detail` column of `EXPLAIN QUERY PLAN` for `sql`, its parameters bound to NULL.
    static func plan(_ sql: String, in store: SQLiteIncidentStore) async throws -> [String] {
        try await store.read { database in
            let parameters = sql.count(where: { $0 == "?" })
            return try database.query("EXPLAIN QUERY PLAN \(sql)", Array(repeating: .null, count: parameters)) { $0.text(3) ?? "" }
        }
    }

    @Test("each outbox query reads its index without a sort or the table", arguments: queries)
    func queryPlan(_ expected: Expected) async throws {
        try await withStore { store, _ in
            let plan = try await Self.plan(expected.sql, in: store)
            let steps = plan.filter { $0.hasPrefix("SCAN outbox") || $0.hasPrefix("SEARCH outbox") }
            #expect(!steps.isEmpty, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
            let using = expected.covering ? "USING COVERING INDEX \(expected.index)" : "USING INDEX \(expected.index)"
            for step in steps {
                #expect(step.hasPrefix(expected.scan ? "SCAN outbox \(using)" : "SEARCH outbox \(using) ("), "\(plan)")
            }
        }
    }

    @Test("the outbox health counts read only the two partial indexes")
    func healthPlan() async throws {
        try await withStore { store, _ in
            let plan = try await Self.plan(SQLiteIncidentStore.outboxHealthSQL, in: store)
            #expect(plan.filter { $0.hasPrefix("SCAN outbox") || $0.hasPrefix("SEARCH outbox") } == [
                "SCAN outbox USING COVERING INDEX outbox_pending_by_due", "SCAN outbox USING COVERING INDEX outbox_dead",
            ], "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }

    // MARK: - A budgeted claim over thousands of rows

    static let now = StoreTime.milliseconds(t0)
    static let window: Int64 = 60_000
    static let budget = ChannelBudget(posts: 50, window: .seconds(60))

    /// One outbox row as written behind the store's back.
    struct Row {
        var channel: ChannelRole
        var priority: OutboxPriority
        var state = "pending"
        var nextAttempt: Int64 = SQLiteOutboxPlanTests.now - 1_000
        var lease: Int64?
        var delivered: Int64?
        var coalescedInto: Int64?
        var created: Int64 = SQLiteOutboxPlanTests.now - 1_000
    }

    static func insert(_ rows: [Row], path: String) throws {
        let database = try SQLiteDatabase(path: path)
        try database.setBusyTimeout(milliseconds: 5000)
        let text = StoreJSON.encode(message("post"))
        try database.transaction {
            for (offset, row) in rows.enumerated() {
                try database.run(
                    """
                    INSERT INTO outbox (channel, incident, message, created_at_ms, state, next_attempt_at_ms, claimed_by,
                        lease_until_ms, delivered_at_ms, coalesced_into, priority)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(row.channel.rawValue), SQLiteValue(offset % 40 + 1), .text(text), .integer(row.created), .text(row.state),
                        .integer(row.nextAttempt), row.lease == nil ? .null : .text("other"), SQLiteValue(row.lease),
                        SQLiteValue(row.delivered), SQLiteValue(row.coalescedInto), SQLiteValue(row.priority.rawValue),
                    ])
            }
        }
    }

    /// What a budgeted claim decides, by the rules as written before migration 9, over every row
    /// read into memory: the posts and leases counted one by one, every due row considered.
    struct Decision: Equatable, CustomStringConvertible {
        var claim: [Int64] = []
        /// In delivery order.
        var fold: [ChannelRole: [Int64]] = [:]
        /// Ascending.
        var wait: [ChannelRole: [Int64]] = [:]
        var waitUntil: [ChannelRole: Int64] = [:]

        /// Short enough to read in a failure: the claim, then each list's length and ends.
        var description: String {
            func brief(_ lists: [ChannelRole: [Int64]]) -> String {
                lists.sorted { $0.key.rawValue < $1.key.rawValue }
                    .map { "\($0.key.rawValue): \($0.value.count) rows \($0.value.first ?? 0)…\($0.value.last ?? 0)" }
                    .joined(separator: ", ")
            }
            return "claim \(claim); fold \(brief(fold)); wait \(brief(wait)) until \(waitUntil)"
        }
    }

    static func reference(limit: Int, path: String) throws -> Decision {
        struct Stored {
            let id: Int64, channel: String, priority: Int, state: String, next: Int64, lease: Int64?
            let delivered: Int64?, coalesced: Bool, created: Int64
        }
        let database = try SQLiteDatabase(path: path)
        let rows = try database.query(
            """
            SELECT id, channel, priority, state, next_attempt_at_ms, lease_until_ms, delivered_at_ms, coalesced_into, created_at_ms
            FROM outbox
            """
        ) { row in
            Stored(
                id: row.int64(0)!, channel: row.text(1)!, priority: row.int(2)!, state: row.text(3)!, next: row.int64(4)!,
                lease: row.int64(5), delivered: row.int64(6), coalesced: !row.isNull(7), created: row.int64(8)!)
        }
        let since = now - window
        let summary = OutboxPriority.summary.rawValue
        var used: [String: Int] = [:]
        var oldest: [String: Int64] = [:]
        for row in rows where row.priority != summary {
            if row.state == "delivered", !row.coalesced, let delivered = row.delivered, delivered > since {
                used[row.channel, default: 0] += 1
                oldest[row.channel] = min(oldest[row.channel] ?? delivered, delivered)
            }
            if row.state == "pending", let lease = row.lease, lease > now { used[row.channel, default: 0] += 1 }
        }
        let summaries = Set(rows.filter { $0.priority == summary && $0.created > since }.map(\.channel))
        let due = rows.filter { $0.state == "pending" && $0.next <= now && ($0.lease ?? now) <= now }
            .sorted { ($0.priority, -$0.id) > ($1.priority, -$1.id) }

        var decision = Decision()
        var over: [ChannelRole: [Stored]] = [:]
        for row in due {
            let priority = OutboxPriority(rawValue: row.priority) ?? .other
            if priority.bypassesBudget || used[row.channel, default: 0] < budget.posts {
                guard decision.claim.count < limit else { continue }
                if priority != .summary { used[row.channel, default: 0] += 1 }
                decision.claim.append(row.id)
            } else {
                over[ChannelRole(rawValue: row.channel)!, default: []].append(row)
            }
        }
        for (channel, rows) in over {
            let others = rows.count(where: { $0.priority == OutboxPriority.other.rawValue })
            let foldOthers = others > budget.posts * ChannelBudget.extremeFloodWindows
            let folds = { (row: Stored) in
                (OutboxPriority(rawValue: row.priority)?.isCoalescable ?? false) || (foldOthers && row.priority == 0)
            }
            var fold = rows.filter(folds).map(\.id)
            var wait = rows.filter { !folds($0) }.map(\.id)
            if summaries.contains(channel.rawValue) || fold.count < 2 {
                wait += fold
                fold = []
            }
            if !fold.isEmpty { decision.fold[channel] = fold }
            if !wait.isEmpty {
                decision.wait[channel] = wait.sorted()
                decision.waitUntil[channel] = max(now + 1, (oldest[channel.rawValue] ?? now) + window)
            }
        }
        return decision
    }

    /// What the store decided: the claim, the overflow, and the rows it pushed back.
    static func decision(of claim: OutboxClaim, path: String) throws -> Decision {
        var decision = Decision(claim: claim.rows.map(\.id))
        for overflow in claim.overflow { decision.fold[overflow.channel] = overflow.ids }
        let database = try SQLiteDatabase(path: path)
        let pushed = try database.query(
            "SELECT id, channel, next_attempt_at_ms FROM outbox WHERE state = 'pending' AND next_attempt_at_ms > ? AND claimed_by IS NULL ORDER BY id",
            [.integer(now)]
        ) { (id: $0.int64(0)!, channel: ChannelRole(rawValue: $0.text(1)!)!, until: $0.int64(2)!) }
        for row in pushed where row.until != notDueUntil {
            decision.wait[row.channel, default: []].append(row.id)
            decision.waitUntil[row.channel] = row.until
        }
        return decision
    }

    /// When the rows that were not due yet fall due.
    static let notDueUntil = now + 3_600_000

    /// A budget of 50 a minute: oncall has 47 posts in the window and 3 in flight, incidents
    /// 60; leads has room, and its window has had its summary. Behind them, posts outside the
    /// window, folded rows and summaries (one of them in flight) that the budget does not count,
    /// and rows not due yet.
    static func busyOutbox(oncallAlerts: Int, incidentPosts: Int) -> [Row] {
        var rows: [Row] = []
        for index in 0..<2_000 {
            let channel: ChannelRole = index.isMultiple(of: 3) ? .incidents : .oncall
            rows.append(Row(channel: channel, priority: .other, state: "delivered", delivered: now - window - 1 - Int64(index) * 1_000))
        }
        for index in 0..<47 { rows.append(Row(channel: .oncall, priority: .breach, state: "delivered", delivered: now - 50_000 + Int64(index))) }
        for index in 0..<60 { rows.append(Row(channel: .incidents, priority: .other, state: "delivered", delivered: now - 40_000 + Int64(index))) }
        for index in 0..<500 {
            rows.append(Row(channel: .oncall, priority: .warning, state: "delivered", delivered: now - 30_000 + Int64(index), coalescedInto: 1))
        }
        rows.append(Row(channel: .oncall, priority: .summary, state: "delivered", delivered: now - 2 * window, created: now - 2 * window))
        rows.append(Row(channel: .leads, priority: .summary, state: "delivered", delivered: now - 10_000, created: now - 10_000))
        for _ in 0..<3 { rows.append(Row(channel: .oncall, priority: .breach, lease: now + 20_000)) }
        rows.append(Row(channel: .oncall, priority: .summary, nextAttempt: now - 2 * window, lease: now + 20_000, created: now - 2 * window))
        for _ in 0..<30 { rows.append(Row(channel: .oncall, priority: .legalBreach, nextAttempt: notDueUntil)) }
        // The backlog, interleaved as it would be written.
        for index in 0..<max(oncallAlerts, incidentPosts) {
            if index < oncallAlerts {
                rows.append(Row(channel: .oncall, priority: [OutboxPriority.warning, .escalation, .breach][index % 3]))
            }
            if index < incidentPosts { rows.append(Row(channel: .incidents, priority: .other)) }
            if index < 30 { rows.append(Row(channel: .leads, priority: .other)) }
            if index == 1_000 || index == 1_001 { rows.append(Row(channel: .oncall, priority: .legalBreach)) }
        }
        return rows
    }

    @Test("a budgeted claim over thousands of rows decides as the rules over every row do")
    func budgetedClaimMatchesTheRules() async throws {
        try await withStore { store, path in
            try Self.insert(Self.busyOutbox(oncallAlerts: 3_000, incidentPosts: 300), path: path)
            let expected = try Self.reference(limit: 20, path: path)

            let claim = try await store.claimOutbox(now: t0, limit: 20, worker: "w1", leaseUntil: at(30), budget: Self.budget)

            let decided = try Self.decision(of: claim, path: path)
            #expect(decided == expected)
            // By hand: the two legal breaches first, whatever the room; then leads, which has room.
            #expect(claim.rows.prefix(2).map(\.item.priority) == [.legalBreach, .legalBreach])
            #expect(claim.rows.count == 20 && claim.rows.dropFirst(2).allSatisfy { $0.item.channel == .leads })
            #expect(claim.overflow.map(\.channel) == [.oncall] && claim.overflow.first?.ids.count == 3_000)
            #expect(claim.overflow.first?.counts == [.warning: 1_000, .escalation: 1_000, .breach: 1_000])
            #expect(decided.wait[.incidents]?.count == 300 && decided.wait[.leads] == nil, "the 12 leads posts past the claim are left as they are")
            #expect(decided.waitUntil[.incidents] == Self.now - 40_000 + Self.window, "until the window's oldest post leaves it")
        }
    }

    @Test("a pass over a backlog past its scan limit folds what it read and leaves the rest as it is")
    func budgetedClaimReadsAtMostTheScanLimit() async throws {
        try await withStore { store, path in
            let alerts = OutboxBudgetPlan.overflowScanLimit + 1_000
            try Self.insert(Self.busyOutbox(oncallAlerts: alerts, incidentPosts: 0), path: path)
            let everything = try Self.reference(limit: 20, path: path)

            let claim = try await store.claimOutbox(now: t0, limit: 20, worker: "w1", leaseUntil: at(30), budget: Self.budget)

            let folded = try #require(claim.overflow.first?.ids)
            // The claim's first look is 20 rows (the legal breaches and 18 alerts), then 5,000
            // more, all oncall alerts: the leads posts, least urgent, are not reached.
            #expect(claim.rows.map(\.item.priority) == [.legalBreach, .legalBreach])
            #expect(folded.count == 18 + OutboxBudgetPlan.overflowScanLimit)
            #expect(folded == Array(try #require(everything.fold[.oncall]).prefix(folded.count)), "the most urgent first")
            let untouched = try SQLiteDatabase(path: path).queryFirst(
                "SELECT count(*) FROM outbox WHERE state = 'pending' AND channel = 'oncall' AND claimed_by IS NULL AND next_attempt_at_ms <= ?",
                [.integer(Self.now)]
            ) { $0.int(0) ?? -1 }
            #expect(untouched == alerts - folded.count, "left due for the next pass")

            // The next pass posts the summary, puts the rest of the alerts back (the window has
            // its summary) and reaches the leads posts.
            let summary = OutboxItem(channel: .oncall, incident: nil, message: message("…and more"), priority: .summary)
            _ = try #require(try await store.coalesceOutbox(folded, into: summary, worker: "w1", at: t0))
            let next = try await store.claimOutbox(now: t0, limit: 20, worker: "w1", leaseUntil: at(30), budget: Self.budget)
            #expect(next.rows.first?.item.priority == .summary && next.overflow.isEmpty)
            #expect(next.rows.count == 20 && next.rows.dropFirst().allSatisfy { $0.item.channel == .leads })
            let waiting = try SQLiteDatabase(path: path).queryFirst(
                "SELECT count(*) FROM outbox WHERE state = 'pending' AND channel = 'oncall' AND next_attempt_at_ms = ?",
                [.integer(Self.now - 50_000 + Self.window)]
            ) { $0.int(0) ?? -1 }
            #expect(waiting == alerts - folded.count)
        }
    }

    @Test("the next due time is found among many rows in flight")
    func nextDueBehindManyLeases() async throws {
        try await withStore { store, path in
            // 300 rows in flight until +30 s, due before the first free row (due at +20 s): more
            // than one walk of the index.
            var rows = (0..<300).map { _ in Row(channel: .oncall, priority: .breach, nextAttempt: Self.now - 1_000, lease: Self.now + 30_000) }
            rows.append(Row(channel: .oncall, priority: .breach, nextAttempt: Self.now - 500, lease: Self.now + 10_000))
            rows.append(Row(channel: .oncall, priority: .breach, nextAttempt: Self.now + 20_000))
            try Self.insert(rows, path: path)
            #expect(try await store.nextOutboxDue() == at(10))
            try tamper(path, "UPDATE outbox SET lease_until_ms = \(Self.now + 40_000) WHERE lease_until_ms = \(Self.now + 10_000)")
            #expect(try await store.nextOutboxDue() == at(20))
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 302, deadLettered: 0))
        }
    }
}
