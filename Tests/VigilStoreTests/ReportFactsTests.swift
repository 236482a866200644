import Foundation
import Testing
import VigilCore
import VigilStore

/// Every KPI of a report, computed from a real store of each kind holding ``reportFixture``,
/// against figures worked out by hand (the comments show the arithmetic); and the two stores'
/// facts compared over more data and more periods.
@Suite("Store contract: report facts")
struct ReportFactsTests {
    static let week = ReportPeriod(since: utc(11, 1, 0), until: utc(11, 8, 0), label: "2026-11-01..2026-11-07")
    static let policy: Policy = {
        var policy = Policy.defaults
        policy.timeZone = .gmt
        policy.roles = RoleAssignments([.restricted: [Identity(platform: "slack", id: "U0DEE")]])
        return policy
    }()

    func minutes(_ m: Double) -> Double { m * 60_000 }
    func hours(_ h: Double) -> Double { h * 3_600_000 }

    /// The fixture's report for `period`, asked at `now`, from a store of `kind`.
    func report(
        _ kind: StoreKind, _ period: ReportPeriod = week, now: Date = utc(11, 22, 12), breachLimit: Int = 10
    ) async throws -> (KPIReport, ReportFacts) {
        var result: (KPIReport, ReportFacts)?
        try await withStore(kind) { store in
            for incident in reportFixture { try await store.commit(incident.work) }
            let query = KPIReport.query(for: period, now: now, timeZone: .gmt, breachLimit: breachLimit)
            let facts = try await store.reportFacts(query)
            result = (KPIReport(period: period, query: query, facts: facts, policy: Self.policy), facts)
        }
        return try #require(result)
    }

    @Test(arguments: StoreKind.allCases)
    func countsOpenedResolvedAndStillOpen(kind: StoreKind) async throws {
        let (report, _) = try await report(kind)
        #expect(report.opened == 6)  // #1 #2 #3 #4 #6 #7 (#2 by when it was opened, not known)
        #expect(report.resolved == 5)  // #1 #2 #4 #5 #7
        #expect(report.stillOpen == 3)  // #3 #6 #9
        #expect(report.openedBySeverity.map(\.count) == [2, 3, 1])  // sev1 #1 #2 · sev2 #3 #4 #7 · sev3 #6
        #expect(report.openedByCategory.map(\.label) == ["fraud", "moderation", "compliance", "child-safety"])
        #expect(report.openedByCategory.map(\.count) == [3, 2, 0, 1])
        #expect(report.resolvedBySeverity.map(\.count) == [2, 2, 1])
    }

    @Test(arguments: StoreKind.allCases)
    func responseTimesWithMediansPercentilesAndMeans(kind: StoreKind) async throws {
        let (report, _) = try await report(kind)
        // TTA: #1 4m, #2 20m (from known), #3 10m, #4 40m, #7 30m (resolved without ack) → sorted
        // 4 10 20 30 40: median 20, p90 = ⌈4.5⌉ = 5th = 40, mean 104/5 = 20.8 min.
        #expect(report.responseTimes.acknowledge == DurationStats(count: 5, medianMilliseconds: minutes(20), p90Milliseconds: minutes(40), meanMilliseconds: 1_248_000))
        // TTR: #7 30m, #1 2h, #2 6h, #4 24h, #5 48h → median 6h, p90 48h, mean 80.5/5 = 16.1 h.
        #expect(report.responseTimes.resolve == DurationStats(count: 5, medianMilliseconds: hours(6), p90Milliseconds: hours(48), meanMilliseconds: 57_960_000))
        let bySeverity = Dictionary(uniqueKeysWithValues: report.responseTimesBySeverity.map { ($0.label, $0) })
        #expect(Array(report.responseTimesBySeverity.map(\.label)) == ["sev1", "sev2", "sev3"])
        // sev1, an even count: TTA 4, 20 → median 12, p90 = ⌈1.8⌉ = 2nd = 20, mean 12.
        #expect(bySeverity["sev1"]?.acknowledge == DurationStats(count: 2, medianMilliseconds: minutes(12), p90Milliseconds: minutes(20), meanMilliseconds: minutes(12)))
        #expect(bySeverity["sev1"]?.resolve == DurationStats(count: 2, medianMilliseconds: hours(4), p90Milliseconds: hours(6), meanMilliseconds: hours(4)))
        // sev2: TTA 10, 30, 40 → median 30, p90 40, mean 80/3; TTR 0.5 h, 24 h → median 12.25 h.
        #expect(bySeverity["sev2"]?.acknowledge == DurationStats(count: 3, medianMilliseconds: minutes(30), p90Milliseconds: minutes(40), meanMilliseconds: minutes(80) / 3))
        #expect(bySeverity["sev2"]?.resolve == DurationStats(count: 2, medianMilliseconds: hours(12.25), p90Milliseconds: hours(24), meanMilliseconds: hours(12.25)))
        // sev3: #5 acknowledged before the week, #6 not at all; #5 resolved in it after 48 h.
        #expect(bySeverity["sev3"]?.acknowledge == nil)
        #expect(bySeverity["sev3"]?.resolve == DurationStats(count: 1, medianMilliseconds: hours(48), p90Milliseconds: hours(48), meanMilliseconds: hours(48)))
    }

    @Test(arguments: StoreKind.allCases)
    func deadlineComplianceByKindSeverityCategoryAndRule(kind: StoreKind) async throws {
        let (report, _) = try await report(kind)
        // Decided in the week: ack met #1 #3 #7, breached #2 #4; resolve met #1 #4 #5 #7,
        // breached #2 #3 (still running); step met #1; legal met #4. Not decided: #5's ack
        // (October), #6's (due at the week's end), #8, #9; cancelled and escalation rows.
        #expect(report.compliance == ComplianceRow(label: "all deadlines", met: 9, breached: 4))
        #expect(report.complianceByKind == [
            ComplianceRow(label: "ack", met: 3, breached: 2), ComplianceRow(label: "resolve", met: 4, breached: 2),
            ComplianceRow(label: "step", met: 1, breached: 0), ComplianceRow(label: "legal", met: 1, breached: 0),
        ])
        #expect(report.complianceBySeverity == [
            ComplianceRow(label: "sev1", met: 3, breached: 2), ComplianceRow(label: "sev2", met: 4, breached: 2),
            ComplianceRow(label: "sev3", met: 1, breached: 0),
        ])
        #expect(report.complianceByCategory == [
            ComplianceRow(label: "fraud", met: 6, breached: 2), ComplianceRow(label: "moderation", met: 1, breached: 1),
            ComplianceRow(label: "child-safety", met: 1, breached: 1),
        ])
        #expect(report.legal == [ComplianceRow(label: ncmecRule, met: 1, breached: 0)])
        #expect(ReportText.percent(report.compliance.rate!) == "69%")  // 9 / 13 = 69.2 %
    }

    @Test(arguments: StoreKind.allCases)
    func breachesAreListedByDeadlineWithTheirIncidents(kind: StoreKind) async throws {
        let (report, _) = try await report(kind)
        #expect(report.breachCount == 4)
        #expect(report.breaches.map { "\($0.incident.number)/\($0.clock)" } == ["2/ack", "2/resolve", "3/resolve", "4/ack"])
        #expect(report.breaches[0].alertsSent == 2)
        #expect(report.breaches[0].stoppedAt == utc(11, 2, 10, 20))
        #expect(report.breaches[2].stoppedAt == nil)  // still running
        let (short, _) = try await self.report(kind, breachLimit: 2)
        #expect(short.breachCount == 4)
        #expect(short.breaches.count == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func escalationsBacklogAndTrend(kind: StoreKind) async throws {
        let (report, _) = try await report(kind)
        #expect(report.escalations == 3)  // #2 twice, #3 once; #9's was in October
        #expect(report.escalatedIncidents == 2)
        // At the week's end: #6 is exactly 4 h old (a bound goes to the older bucket), #3 4 d 15 h,
        // #9 18 d 14 h.
        #expect(report.backlog.map(\.label) == ["under 4 h", "4 h–1 d", "1 d–3 d", "3 d–7 d", "7 d–30 d", "over 30 d"])
        #expect(report.backlog.map(\.count) == [0, 1, 0, 1, 1, 0])
        #expect(report.oldestOpen.map(\.number) == [9, 3, 6])
        #expect(report.trend.unit == .day)
        #expect(report.trend.starts.count == 7)
        #expect(report.trend.opened == [1, 1, 1, 0, 1, 1, 1])
        #expect(report.trend.resolved == [2, 1, 0, 0, 0, 2, 0])  // Nov 1: #1 #5 · Nov 2: #2 · Nov 6: #4 #7
    }

    @Test(arguments: StoreKind.allCases)
    func aPeriodStillRunningCountsUpToNow(kind: StoreKind) async throws {
        // Asked on Nov 3 at 12:00 for the week: #3's resolve deadline (Nov 4 09:00) has not passed.
        let (report, _) = try await report(kind, now: utc(11, 3, 12))
        #expect(report.asOf == utc(11, 3, 12))
        #expect(report.opened == 3)  // #1 #2 #3
        #expect(report.resolved == 3)  // #1 #2 #5
        #expect(report.breachCount == 2)  // #2 ack and resolve
        #expect(report.stillOpen == 2)  // #3, #9
        #expect(report.trend.starts.count == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func anEmptyPeriodHasZerosAndNoStatistics(kind: StoreKind) async throws {
        let empty = ReportPeriod(since: utc(9, 1, 0), until: utc(9, 8, 0), label: "2026-09-01..2026-09-07")
        let (report, _) = try await report(kind, empty)
        #expect(report.opened == 0)
        #expect(report.resolved == 0)
        #expect(report.stillOpen == 0)
        #expect(report.responseTimes.acknowledge == nil)
        #expect(report.responseTimes.resolve == nil)
        #expect(report.responseTimesBySeverity.isEmpty)
        #expect(report.compliance.rate == nil)
        #expect(report.complianceByKind.isEmpty)
        #expect(report.breaches.isEmpty)
        #expect(report.trend.opened == Array(repeating: 0, count: 7))
        let text = ReportText(policy: Self.policy, now: utc(11, 22, 12), showsRestrictedTitles: false).message(report).plainText
        #expect(text.contains("Opened 0 · resolved 0 · still open 0"))
        #expect(text.contains("No incident was acknowledged or resolved in this period."))
        #expect(text.contains("No deadline came due in this period."))
    }

    @Test(arguments: StoreKind.allCases)
    func restrictedTitlesAreHiddenUnlessAllowed(kind: StoreKind) async throws {
        let (report, _) = try await report(kind)
        let hidden = ReportText(policy: Self.policy, now: utc(11, 22, 12), showsRestrictedTitles: false).message(report).plainText
        #expect(!hidden.contains("Secret title"))
        #expect(hidden.contains("INC-4 · SEV2 · child-safety — (restricted: title hidden)"))
        let shown = ReportText(policy: Self.policy, now: utc(11, 22, 12), showsRestrictedTitles: true).message(report).plainText
        #expect(shown.contains("INC-4 · SEV2 · child-safety — Secret title"))
    }

    @Test(arguments: StoreKind.allCases)
    func exportPagesCoverEveryIncidentOpenDuringThePeriod(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for incident in reportFixture { try await store.commit(incident.work) }
            var numbers: [Int] = []
            var after = 0
            while true {
                let page = try await store.reportedIncidents(since: Self.week.since, asOf: Self.week.until, after: after, limit: 3)
                guard let last = page.last else { break }
                numbers += page.map(\.headline.number)
                after = last.headline.number
            }
            // Not #8 (opened after); #5 (resolved inside) and #9 (open throughout) are in.
            #expect(numbers == [1, 2, 3, 4, 5, 6, 7, 9])
            let first = try await store.reportedIncidents(since: Self.week.since, asOf: Self.week.until, after: 0, limit: 1)
            // Escalation timers are not deadlines.
            #expect(first.first?.clocks.map(\.name) == ["ack", "step:freeze-payouts", "resolve"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSeverityChangeMovesTheIncidentsDeadlinesToTheNewSeverity(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let fixture = reportFixture[0]
            try await store.commit(fixture.work)
            var incident = try #require(try await store.incident(1))
            let previous = incident.lastSequence
            incident.severity = "sev2"
            let event = EventChain.append(.severityChanged, by: ava, at: utc(11, 1, 2), to: &incident)
            // Only the incident is written: its clock rows follow it all the same.
            try await store.commit(UnitOfWork(
                requestID: nil, reply: Reply.ephemeral(""), incident: incident, expectedSequence: previous, events: [event], outbox: []))
            let classes = try await inspect(store, "SELECT DISTINCT severity, category FROM clocks WHERE incident = 1").map { row in
                row.map { value in if case let .text(text) = value { text } else { "-" } }.joined(separator: "/")
            }
            #expect(classes == ["sev2/fraud"])
            let query = KPIReport.query(for: Self.week, now: utc(11, 22, 12), timeZone: .gmt)
            let report = KPIReport(period: Self.week, query: query, facts: try await store.reportFacts(query), policy: Self.policy)
            #expect(report.complianceBySeverity == [ComplianceRow(label: "sev2", met: 3, breached: 0)])
        }
    }

    // MARK: - The same answers from both stores

    /// The queries compared: the standard ones of a week (asked after it and during it), an empty
    /// week, a month, a day (hourly trend), short lists, and two no report makes (trend starts
    /// out of order, no backlog bounds, no lists; a period asked before its last trend bucket).
    static let comparedQueries: [(String, ReportQuery)] = {
        func standard(_ period: ReportPeriod, now: Date = utc(11, 22, 12), breachLimit: Int = 10) -> ReportQuery {
            KPIReport.query(for: period, now: now, timeZone: .gmt, breachLimit: breachLimit)
        }
        let month = ReportPeriod(since: utc(10, 15, 0), until: utc(11, 15, 0), label: "2026-10-15..2026-11-14")
        let day = ReportPeriod(since: utc(11, 2, 0), until: utc(11, 3, 0), label: "2026-11-02")
        let empty = ReportPeriod(since: utc(9, 1, 0), until: utc(9, 8, 0), label: "2026-09-01..2026-09-07")
        var short = standard(month)
        short.breachLimit = 3
        short.oldestOpenLimit = 2
        return [
            ("week", standard(week)), ("week so far", standard(week, now: utc(11, 3, 12))), ("empty week", standard(empty)),
            ("month", standard(month, breachLimit: 1000)), ("day", standard(day)), ("month, short lists", short),
            ("odd buckets", ReportQuery(
                since: utc(10, 28, 0), asOf: utc(11, 6, 0), trendStarts: [utc(11, 3, 0), utc(10, 28, 0), utc(11, 5, 0), utc(11, 5, 0)],
                backlogAges: [], breachLimit: 0, oldestOpenLimit: 0)),
            ("asked before the last bucket", ReportQuery(
                since: utc(11, 1, 0), asOf: utc(11, 5, 0), trendStarts: [utc(11, 1, 0), utc(11, 4, 0), utc(11, 4, 0), utc(11, 6, 0)],
                backlogAges: [.seconds(3600)], breachLimit: 100, oldestOpenLimit: 100)),
        ]
    }()

    @Test("the same data gives the same facts, array for array, and the same export pages, from SQLite and PostgreSQL")
    func theSameAnswers() async throws {
        try await withStore(.sqlite) { sqlite in
            try await withStore(.postgres) { postgres in
                for store in [sqlite, postgres] {
                    for incident in reportFixture + reportCrowd { try await store.commit(incident.work) }
                    // Clocks written before clocks knew their incident's class count only by rule.
                    try await tamper(store, "UPDATE clocks SET severity = NULL, category = NULL WHERE incident = ?", [.integer(107)])
                }
                for (label, query) in Self.comparedQueries {
                    let expected = try await sqlite.reportFacts(query)
                    let facts = try await postgres.reportFacts(query)
                    #expect(facts == expected, "\(label)")
                    // Each part too, so that a difference says where it is.
                    #expect(facts.opened == expected.opened, "\(label)")
                    #expect(facts.resolved == expected.resolved, "\(label)")
                    #expect(facts.acknowledgeTimes == expected.acknowledgeTimes, "\(label)")
                    #expect(facts.resolveTimes == expected.resolveTimes, "\(label)")
                    #expect(facts.clocks == expected.clocks, "\(label)")
                    #expect(facts.legal == expected.legal, "\(label)")
                    #expect(facts.breaches == expected.breaches, "\(label)")
                    #expect(facts.backlog == expected.backlog, "\(label)")
                    #expect(facts.oldestOpen == expected.oldestOpen, "\(label)")
                    #expect(facts.openedPerBucket == expected.openedPerBucket, "\(label)")
                    #expect(facts.resolvedPerBucket == expected.resolvedPerBucket, "\(label)")
                }
                // The comparison compares something: the data reaches every part of a month's facts.
                let month = try await sqlite.reportFacts(Self.comparedQueries[3].1)
                #expect(month.resolveTimes.values.contains { $0 != $0.sorted() })
                #expect(Set(month.clocks.map(\.kind)) == [.ack, .resolve, .step, .legal])
                #expect(month.legal.map(\.label) == [ncmecRule, "Rule A", "Rule B", "règle C"])  // by bytes
                #expect(month.breaches.count > 10)
                #expect(month.escalations > 0 && month.backlog.reduce(0, +) > 0 && !month.oldestOpen.isEmpty)
                #expect(month.opened.map(\.category).contains("überprüfung"))

                let (since, asOf) = (utc(10, 15, 0), utc(11, 15, 0))
                for limit in [1, 7, 1000] {
                    var pages: [[ReportedIncident]] = [[], []]
                    for (index, store) in [sqlite, postgres].enumerated() {
                        var after = 0
                        while true {
                            let page = try await store.reportedIncidents(since: since, asOf: asOf, after: after, limit: limit)
                            guard let last = page.last else { break }
                            pages[index] += page
                            after = last.headline.number
                        }
                    }
                    #expect(pages[1] == pages[0], "pages of \(limit)")
                    #expect(pages[0].count > 50)
                }
            }
        }
    }
}
