import Foundation

/// Renders a ``KPIReport`` as a chat message (`/incident report`, the daily digest) and, through
/// its plain text, as `vigil report --format text`.
public struct ReportText: Sendable {
    public let policy: Policy
    /// The time the report is shown; times on this day omit the date.
    public let now: Date
    /// Whether titles of restricted incidents may be shown: only in a private view to a member
    /// of the restricted role, or in an export that asked for them.
    public let showsRestrictedTitles: Bool

    public init(policy: Policy, now: Date, showsRestrictedTitles: Bool) {
        self.policy = policy
        self.now = now
        self.showsRestrictedTitles = showsRestrictedTitles
    }

    var text: IncidentText { IncidentText(policy: policy, now: now) }

    /// The whole report: counts, response times, compliance, legal deadlines, breaches,
    /// escalations, backlog and trend. Sections with nothing to say are left out.
    public func message(_ report: KPIReport, title: String = "Incident report") -> Message {
        var lines: [[Span]] = [[.bold("\(title) · \(report.period.label)"), .text(" (\(span(report)))")]]
        lines += countLines(report)
        lines += responseLines(report)
        lines += complianceLines(report)
        lines += breachLines(report)
        if report.escalations > 0 {
            lines.append([.text("Escalations: \(report.escalations) (\(plural(report.escalatedIncidents, "incident")))")])
        }
        lines += backlogLines(report)
        lines += trendLines(report)
        return Message(lines: lines)
    }

    /// `Nov 15 21:55 – Nov 22 21:55 PST`.
    func span(_ report: KPIReport) -> String {
        "\(TimeText.clock(report.period.since, now: .distantPast, zone: policy.timeZone)) – \(TimeText.clock(report.asOf, now: .distantPast, zone: policy.timeZone))"
    }

    func countLines(_ report: KPIReport) -> [[Span]] {
        var lines: [[Span]] = [[.text("Opened \(report.opened) · resolved \(report.resolved) · still open \(report.stillOpen)")]]
        let severities = report.openedBySeverity.filter { $0.count > 0 }
        let categories = report.openedByCategory.filter { $0.count > 0 }
        if !severities.isEmpty {
            lines.append([.text("Opened by severity: \(Self.counts(severities)) · by category: \(Self.counts(categories))")])
        }
        return lines
    }

    func responseLines(_ report: KPIReport) -> [[Span]] {
        let all = report.responseTimes
        guard all.acknowledge != nil || all.resolve != nil else {
            return [[.text("No incident was acknowledged or resolved in this period.")]]
        }
        var lines: [[Span]] = [[.bold("Response times")]]
        lines.append([.text("Time to acknowledge: \(Self.stats(all.acknowledge)) · time to resolve: \(Self.stats(all.resolve))")])
        if report.responseTimesBySeverity.count > 1 {
            for row in report.responseTimesBySeverity {
                lines.append([.text("  \(row.label): acknowledge \(Self.stats(row.acknowledge, short: true)) · resolve \(Self.stats(row.resolve, short: true))")])
            }
        }
        return lines
    }

    func complianceLines(_ report: KPIReport) -> [[Span]] {
        guard report.compliance.decided > 0 else { return [[.text("No deadline came due in this period.")]] }
        var lines: [[Span]] = [[.bold("Deadlines met: "), .text(Self.rate(report.compliance))]]
        lines.append([.text("  by clock: \(Self.rates(report.complianceByKind))")])
        if !report.complianceBySeverity.isEmpty { lines.append([.text("  by severity: \(Self.rates(report.complianceBySeverity))")]) }
        if !report.complianceByCategory.isEmpty { lines.append([.text("  by category: \(Self.rates(report.complianceByCategory))")]) }
        for rule in report.legal {
            lines.append([.text("  legal · \(rule.label): \(Self.rate(rule))")])
        }
        return lines
    }

    func breachLines(_ report: KPIReport) -> [[Span]] {
        guard report.breachCount > 0 else { return [] }
        var lines: [[Span]] = [[.bold("Breaches (\(report.breachCount))")]]
        for breach in report.breaches {
            lines.append([.text("  ")] + headline(breach.incident) + [.text(" · \(describe(breach))")])
        }
        if report.breachCount > report.breaches.count {
            lines.append([.text("  … and \(report.breachCount - report.breaches.count) more (`vigil report` lists every one)")])
        }
        return lines
    }

    func backlogLines(_ report: KPIReport) -> [[Span]] {
        guard report.stillOpen > 0 else { return [] }
        var lines: [[Span]] = [[.bold("Open backlog (\(report.stillOpen)): "), .text(Self.counts(report.backlog.filter { $0.count > 0 }))]]
        if !report.oldestOpen.isEmpty {
            lines.append([.text("Oldest open:")])
            for incident in report.oldestOpen {
                var line: [Span] = [.text("  ")] + headline(incident)
                line.append(.text(" · open \(DurationText.format(report.asOf.duration(since: incident.openedAt))) · owner "))
                line.append(incident.owner.map(Span.mention) ?? .text("nobody"))
                lines.append(line)
            }
        }
        return lines
    }

    func trendLines(_ report: KPIReport) -> [[Span]] {
        let trend = report.trend
        guard trend.opened.count > 1 else { return [] }
        let unit = trend.unit == .day ? "day" : "hour"
        let first = TimeText.clock(trend.starts[0], now: .distantPast, zone: policy.timeZone)
        return [
            [.text("Opened per \(unit): "), .code(Sparkline.render(trend.opened)), .text(" · resolved: "), .code(Sparkline.render(trend.resolved)),
             .text(" (from \(first), peak \(trend.opened.max() ?? 0) opened)")],
        ]
    }

    /// `INC-12 · SEV1 · fraud — Title` (the title hidden for restricted incidents unless allowed).
    public func headline(_ incident: IncidentHeadline) -> [Span] {
        [.bold(policy.displayID(incident.number)), .text(" · \(incident.severity.uppercased()) · \(incident.category) — \(title(incident))")]
    }

    /// The title, or a placeholder for a restricted incident this audience may not read.
    public func title(_ incident: IncidentHeadline) -> String {
        incident.restricted && !showsRestrictedTitles ? "(restricted: title hidden)" : incident.title
    }

    /// `ack due Nov 18 10:05 PST, 12 min late · 2 alerts`, or `… still open, 3 h overdue`.
    public func describe(_ breach: BreachRecord) -> String {
        let name = breach.kind == .legal ? (breach.rule ?? "legal deadline") : breach.clock
        var words = "\(name) due \(text.time(breach.dueAt)), "
        if let stopped = breach.stoppedAt {
            words += "\(DurationText.format(stopped.duration(since: breach.dueAt))) late"
        } else {
            words += "still running, \(DurationText.format(now.duration(since: breach.dueAt))) overdue"
        }
        if breach.alertsSent > 0 { words += " · \(plural(breach.alertsSent, "alert"))" }
        return words
    }

    // MARK: - Figures as words

    /// `median 4 min · p90 12 min · mean 6 min (38)`, or `none`.
    static func stats(_ stats: DurationStats?, short: Bool = false) -> String {
        guard let stats else { return "none" }
        let median = format(stats.medianMilliseconds)
        if short { return "median \(median) (\(stats.count))" }
        return "median \(median) · p90 \(format(stats.p90Milliseconds)) · mean \(format(stats.meanMilliseconds)) (\(stats.count))"
    }

    /// A duration in milliseconds, to the second, for people.
    static func format(_ milliseconds: Double) -> String {
        DurationText.format(.seconds(Int64((milliseconds / 1000).rounded())))
    }

    /// `92% (110 of 120)`.
    static func rate(_ row: ComplianceRow) -> String {
        guard let rate = row.rate else { return "none due" }
        return "\(percent(rate)) (\(row.met) of \(row.decided))"
    }

    static func rates(_ rows: [ComplianceRow]) -> String {
        rows.map { "\($0.label) \(rate($0))" }.joined(separator: " · ")
    }

    /// A share as a whole percent, never rounded up to 100 % nor down to 0 %: 99.6 % met is not
    /// "all met".
    public static func percent(_ share: Double) -> String {
        var value = (share * 100).rounded()
        if value == 100, share < 1 { value = 99 }
        if value == 0, share > 0 { value = 1 }
        return "\(Int(value))%"
    }

    static func counts(_ counts: [KPIReport.LabelledCount]) -> String {
        counts.isEmpty ? "none" : counts.map { "\($0.label) \($0.count)" }.joined(separator: " · ")
    }

    func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
}
