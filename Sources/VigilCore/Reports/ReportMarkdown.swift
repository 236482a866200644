import Foundation

/// Renders a ``KPIReport`` as a markdown document (`vigil report --format markdown`), with the
/// figures in tables for pasting into a review or a wiki page.
public struct ReportMarkdown: Sendable {
    public let words: ReportText

    public init(policy: Policy, now: Date, showsRestrictedTitles: Bool) {
        words = ReportText(policy: policy, now: now, showsRestrictedTitles: showsRestrictedTitles)
    }

    public func document(_ report: KPIReport) -> String {
        var out: [String] = []
        out.append("# Incident report · \(report.period.label)")
        out.append("")
        out.append("\(words.span(report)). Opened \(report.opened), resolved \(report.resolved), still open at the end \(report.stillOpen).")
        out.append("")
        out.append("## Incidents opened")
        out.append("")
        out += table(["severity", "opened", "resolved"], zip(report.openedBySeverity, report.resolvedBySeverity).map { [$0.label, "\($0.count)", "\($1.count)"] })
        out.append("")
        out += table(["category", "opened"], report.openedByCategory.map { [$0.label, "\($0.count)"] })
        out.append("")
        out.append("## Response times")
        out.append("")
        let times = [report.responseTimes] + report.responseTimesBySeverity
        out += table(
            ["severity", "acknowledged", "TTA median", "TTA p90", "TTA mean", "resolved", "TTR median", "TTR p90", "TTR mean"],
            times.map { row in [row.label] + cells(row.acknowledge) + cells(row.resolve) })
        out.append("")
        out.append("## Deadlines")
        out.append("")
        let compliance = [report.compliance] + report.complianceByKind.map { relabel($0, "clock: ") }
            + report.complianceBySeverity.map { relabel($0, "severity: ") } + report.complianceByCategory.map { relabel($0, "category: ") }
            + report.legal.map { relabel($0, "legal: ") }
        out += table(["deadlines", "met", "breached", "met %"], compliance.map { [escape($0.label), "\($0.met)", "\($0.breached)", $0.rate.map(ReportText.percent) ?? "–"] })
        out.append("")
        out.append("## Breaches (\(report.breachCount))")
        out.append("")
        if report.breaches.isEmpty {
            out.append("None.")
        } else {
            out += table(["incident", "clock", "what happened"], report.breaches.map { breach in
                ["\(words.policy.displayID(breach.incident.number)) \(breach.incident.severity.uppercased()) \(breach.incident.category) — \(escape(words.title(breach.incident)))",
                 escape(breach.kind == .legal ? breach.rule ?? "legal" : breach.clock), escape(words.describe(breach))]
            })
            if report.breachCount > report.breaches.count { out.append("\n… and \(report.breachCount - report.breaches.count) more; the CSV export lists every incident.") }
        }
        out.append("")
        out.append("## Escalations")
        out.append("")
        out.append("\(report.escalations) escalation(s) of \(report.escalatedIncidents) incident(s).")
        out.append("")
        out.append("## Open backlog (\(report.stillOpen))")
        out.append("")
        out += table(["age", "incidents"], report.backlog.map { [$0.label, "\($0.count)"] })
        if !report.oldestOpen.isEmpty {
            out.append("")
            out += table(["oldest open", "open for", "owner"], report.oldestOpen.map { incident in
                ["\(words.policy.displayID(incident.number)) \(incident.severity.uppercased()) \(incident.category) — \(escape(words.title(incident)))",
                 DurationText.format(report.asOf.duration(since: incident.openedAt)), incident.owner.map { "@\($0.name)" } ?? "nobody"]
            })
        }
        out.append("")
        out.append("## Trend")
        out.append("")
        out.append("Opened per \(report.trend.unit.rawValue): `\(Sparkline.render(report.trend.opened))` · resolved: `\(Sparkline.render(report.trend.resolved))`")
        out.append("")
        out += table(["\(report.trend.unit.rawValue) from", "opened", "resolved"], report.trend.starts.indices.map { index in
            [TimeText.clock(report.trend.starts[index], now: .distantPast, zone: words.policy.timeZone),
             "\(report.trend.opened[index])", "\(report.trend.resolved[index])"]
        })
        return out.joined(separator: "\n") + "\n"
    }

    func cells(_ stats: DurationStats?) -> [String] {
        guard let stats else { return ["0", "–", "–", "–"] }
        return ["\(stats.count)", ReportText.format(stats.medianMilliseconds), ReportText.format(stats.p90Milliseconds), ReportText.format(stats.meanMilliseconds)]
    }

    func relabel(_ row: ComplianceRow, _ prefix: String) -> ComplianceRow {
        ComplianceRow(label: prefix + row.label, met: row.met, breached: row.breached)
    }

    func table(_ header: [String], _ rows: [[String]]) -> [String] {
        ["| \(header.joined(separator: " | ")) |", "|\(header.map { _ in "---" }.joined(separator: "|"))|"]
            + rows.map { "| \($0.joined(separator: " | ")) |" }
    }

    /// Keeps user text (titles, rules) from breaking a table row.
    func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
    }
}
