import Foundation

/// A lead's figures for one period, computed from the store's ``ReportFacts``: the same numbers
/// feed `/incident report`, `vigil report` (text, markdown, JSON) and the daily digest.
public struct KPIReport: Sendable, Equatable {
    /// A count under a label (a severity, a category, a backlog age).
    public struct LabelledCount: Sendable, Hashable {
        public var label: String
        public var count: Int

        public init(label: String, count: Int) {
            self.label = label
            self.count = count
        }
    }

    /// Time-to-acknowledge and time-to-resolve statistics under one label.
    public struct ResponseTimes: Sendable, Hashable {
        public var label: String
        public var acknowledge: DurationStats?
        public var resolve: DurationStats?

        public init(label: String, acknowledge: DurationStats?, resolve: DurationStats?) {
            self.label = label
            self.acknowledge = acknowledge
            self.resolve = resolve
        }
    }

    public var period: ReportPeriod
    /// The last instant counted: the period's end, or the time of the report if earlier.
    public var asOf: Date
    public var opened: Int
    public var resolved: Int
    public var stillOpen: Int
    /// Opened in the period, by severity (policy order) and by category (policy order).
    public var openedBySeverity: [LabelledCount]
    public var openedByCategory: [LabelledCount]
    public var resolvedBySeverity: [LabelledCount]
    /// All incidents, then one entry per severity with any sample.
    public var responseTimes: ResponseTimes
    public var responseTimesBySeverity: [ResponseTimes]
    /// SLA compliance: all deadlines together, then per clock kind (ack, resolve, step, legal),
    /// per severity and per category (the SLA clocks: ack, resolve and step; legal deadlines
    /// are in ``legal``).
    public var compliance: ComplianceRow
    public var complianceByKind: [ComplianceRow]
    public var complianceBySeverity: [ComplianceRow]
    public var complianceByCategory: [ComplianceRow]
    /// Legal deadlines per rule.
    public var legal: [ComplianceRow]
    /// Breaches in the period (all of them counted; the first few listed).
    public var breachCount: Int
    public var breaches: [BreachRecord]
    public var escalations: Int
    public var escalatedIncidents: Int
    /// Incidents open at `asOf` by age (`under 4 h`, `4–24 h`, …).
    public var backlog: [LabelledCount]
    public var oldestOpen: [IncidentHeadline]
    public var trend: Trend

    /// Opened and resolved per bucket (day or hour), for the sparkline.
    public struct Trend: Sendable, Hashable {
        public var unit: TrendBuckets.Unit
        public var starts: [Date]
        public var opened: [Int]
        public var resolved: [Int]

        /// The counts are fitted to `starts`, one per bucket, so readers can index them together.
        public init(unit: TrendBuckets.Unit, starts: [Date], opened: [Int], resolved: [Int]) {
            func fitted(_ counts: [Int]) -> [Int] { Array((counts + Array(repeating: 0, count: starts.count)).prefix(starts.count)) }
            self.unit = unit
            self.starts = starts
            self.opened = fitted(opened)
            self.resolved = fitted(resolved)
        }
    }

    /// The query a report for `period` at `now` asks the store.
    public static func query(for period: ReportPeriod, now: Date, timeZone: TimeZone, breachLimit: Int = 10) -> ReportQuery {
        let asOf = period.asOf(now)
        return ReportQuery(since: period.since, asOf: asOf, trendStarts: period.trendBuckets(to: asOf, timeZone: timeZone).starts, breachLimit: breachLimit)
    }

    /// Computes the report from the store's facts. `query` must be the one the facts answer.
    public init(period: ReportPeriod, query: ReportQuery, facts: ReportFacts, policy: Policy) {
        self.period = period
        asOf = query.asOf
        let severities = Self.ordered(policy.severities.map(\.name), plus: facts.opened.map(\.severity) + facts.resolved.map(\.severity))
        let categories = Self.ordered(policy.categories.map(\.name), plus: facts.opened.map(\.category))
        opened = facts.opened.reduce(0) { $0 + $1.count }
        resolved = facts.resolved.reduce(0) { $0 + $1.count }
        stillOpen = facts.backlog.reduce(0, +)
        openedBySeverity = severities.map { name in
            LabelledCount(label: name, count: facts.opened.filter { $0.severity == name }.reduce(0) { $0 + $1.count })
        }
        openedByCategory = categories.map { name in
            LabelledCount(label: name, count: facts.opened.filter { $0.category == name }.reduce(0) { $0 + $1.count })
        }
        resolvedBySeverity = severities.map { name in
            LabelledCount(label: name, count: facts.resolved.filter { $0.severity == name }.reduce(0) { $0 + $1.count })
        }

        // Each severity's durations are sorted once; the totals merge the sorted parts.
        let acknowledge = facts.acknowledgeTimes.mapValues { $0.sorted() }
        let resolve = facts.resolveTimes.mapValues { $0.sorted() }
        responseTimes = ResponseTimes(
            label: "all", acknowledge: DurationStats(sorted: .mergingSorted(Array(acknowledge.values))),
            resolve: DurationStats(sorted: .mergingSorted(Array(resolve.values))))
        let timedSeverities = Self.ordered(severities, plus: Array(acknowledge.keys) + Array(resolve.keys))
        responseTimesBySeverity = timedSeverities.compactMap { name in
            let times = ResponseTimes(
                label: name, acknowledge: DurationStats(sorted: acknowledge[name] ?? []), resolve: DurationStats(sorted: resolve[name] ?? []))
            return times.acknowledge == nil && times.resolve == nil ? nil : times
        }

        let deadlines = facts.clocks.filter { $0.kind != .escalation }
        let sla = deadlines.filter { $0.kind != .legal }
        func row(_ label: String, _ tallies: [ClockTally]) -> ComplianceRow {
            ComplianceRow(label: label, met: tallies.reduce(0) { $0 + $1.met }, breached: tallies.reduce(0) { $0 + $1.breached })
        }
        compliance = row("all deadlines", deadlines)
        complianceByKind = [ClockKind.ack, .resolve, .step, .legal].map { kind in row(kind.rawValue, deadlines.filter { $0.kind == kind }) }
            .filter { $0.decided > 0 }
        complianceBySeverity = Self.ordered(severities, plus: sla.map(\.severity)).map { name in row(name, sla.filter { $0.severity == name }) }
            .filter { $0.decided > 0 }
        complianceByCategory = Self.ordered(categories, plus: sla.map(\.category)).map { name in row(name, sla.filter { $0.category == name }) }
            .filter { $0.decided > 0 }
        legal = facts.legal.sorted { $0.label < $1.label }
        breachCount = compliance.breached
        breaches = facts.breaches
        escalations = facts.escalations
        escalatedIncidents = facts.escalatedIncidents
        let ageLabels = Self.ageLabels(query.backlogAges)
        backlog = ageLabels.enumerated().map { index, label in
            LabelledCount(label: label, count: facts.backlog.indices.contains(index) ? facts.backlog[index] : 0)
        }
        oldestOpen = facts.oldestOpen
        let unit: TrendBuckets.Unit = query.trendStarts.count > 1 && query.trendStarts[1].timeIntervalSince(query.trendStarts[0]) <= 3600 ? .hour : .day
        trend = Trend(unit: unit, starts: query.trendStarts, opened: facts.openedPerBucket, resolved: facts.resolvedPerBucket)
    }

    /// `known` in its order, then any names the data has that `known` lacks (a severity or
    /// category since removed from config), alphabetically.
    static func ordered(_ known: [String], plus seen: [String]) -> [String] {
        known + Set(seen).subtracting(known).sorted()
    }

    /// `under 4 h`, `4 h–1 d`, …, `over 30 d` for age bounds.
    static func ageLabels(_ bounds: [Duration]) -> [String] {
        guard !bounds.isEmpty else { return ["any age"] }
        var labels = ["under \(DurationText.format(bounds[0]))"]
        for index in bounds.indices.dropFirst() {
            labels.append("\(DurationText.format(bounds[index - 1]))–\(DurationText.format(bounds[index]))")
        }
        labels.append("over \(DurationText.format(bounds[bounds.count - 1]))")
        return labels
    }
}

/// A row of bars for a trend: `▁▃▅█▂`, each bar scaled to the largest value (zero is the
/// lowest bar, any non-zero value at least the second).
public enum Sparkline {
    static let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public static func render(_ values: [Int]) -> String {
        let top = values.max() ?? 0
        return String(values.map { value -> Character in
            guard value > 0, top > 0 else { return bars[0] }
            return bars[1 + Int((Double(value) / Double(top) * 6).rounded())]
        })
    }
}
