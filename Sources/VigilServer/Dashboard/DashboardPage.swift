import Foundation
import VigilCore

/// The lead dashboard's HTML, rendered on the server from a ``DashboardSnapshot``.
///
/// Every text from users and config is escaped here. The page loads only Vigil's own stylesheet
/// and script; without the script it still shows everything, as of the moment it was served.
/// The script ticks the countdowns each second and swaps in a fresh `<main>` (this page with
/// `?part=main`) every ``refreshSeconds``, so the page never reloads in full.
struct DashboardPage: Sendable {
    static let refreshSeconds = 30

    let policy: Policy

    /// The whole page.
    func page(_ snapshot: DashboardSnapshot) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>Vigil dashboard</title>
        <link rel="stylesheet" href="\(DashboardRoutes.stylesheetPath)">
        <script src="\(DashboardRoutes.scriptPath)" defer></script>
        </head><body>
        <header><h1>Vigil</h1><p class="viewer">Signed in as <b>@\(HTML.escape(snapshot.viewer.name))</b>\
        \(snapshot.cleared ? " · cleared for restricted incidents" : "")</p>\
        <form method="post" action="\(DashboardRoutes.logoutPath)"><button type="submit">Sign out</button></form></header>
        \(main(snapshot))
        </body></html>
        """
    }

    /// The `<main>` the script swaps in on each refresh.
    func main(_ snapshot: DashboardSnapshot) -> String {
        """
        <main id="dashboard" data-now="\(milliseconds(snapshot.now))" data-refresh="\(Self.refreshSeconds)">
        <p class="freshness">Updated <time datetime="\(ISOTimestamp.string(snapshot.now))">\(HTML.escape(time(snapshot.now)))</time>\
        <span class="stale-note"> · could not refresh; showing the figures above as of this time</span></p>
        \(summary(snapshot))
        \(incidents(snapshot))
        \(performance(snapshot))
        \(outbox(snapshot.outbox, now: snapshot.now))
        </main>
        """
    }

    // MARK: - Sections

    private func summary(_ snapshot: DashboardSnapshot) -> String {
        let dead = snapshot.outbox.deadLettered
        return """
            <section class="tiles" aria-label="At a glance">\
            <div class="tile"><b>\(snapshot.rows.count)</b> open</div>\
            <div class="tile\(snapshot.breachedCount > 0 ? " alert" : "")"><b>\(snapshot.breachedCount)</b> past a deadline</div>\
            <div class="tile\(dead > 0 ? " alert" : "")"><b>\(dead)</b> dead letters</div>\
            </section>
            """
    }

    private func incidents(_ snapshot: DashboardSnapshot) -> String {
        guard !snapshot.rows.isEmpty else {
            return "<section><h2>Open incidents</h2><p class=\"empty\">Nothing is open.</p></section>"
        }
        var html = """
            <section><h2>Open incidents</h2><table class="incidents"><thead><tr><th>Incident</th><th>Severity</th>\
            <th>Category</th><th>Title</th><th>State</th><th>Owner</th><th>Level</th><th>Playbook</th><th>Next deadline</th>\
            </tr></thead><tbody>
            """
        for row in snapshot.rows {
            html += self.row(row, now: snapshot.now)
        }
        return html + "</tbody></table></section>"
    }

    private func row(_ row: DashboardSnapshot.Row, now: Date) -> String {
        let breached = row.deadline?.breached == true
        var classes = [breached ? "breached" : nil, row.restricted ? "restricted" : nil].compactMap { $0 }.joined(separator: " ")
        if !classes.isEmpty { classes = " class=\"\(classes)\"" }
        let id = "<td data-label=\"Incident\"><b>\(HTML.escape(row.id))</b></td>"
        let classification =
            "<td data-label=\"Severity\">\(HTML.escape(row.severity.uppercased()))</td><td data-label=\"Category\">\(HTML.escape(row.category))"
            + (row.restricted ? " <span class=\"tag\">restricted</span>" : "") + "</td>"
        guard !row.redacted else {
            return "<tr\(classes)>\(id)\(classification)<td class=\"withheld\" colspan=\"6\" data-label=\"Details\">"
                + "Restricted: details only for people cleared for restricted incidents</td></tr>"
        }
        let owner = row.owner.map { "@" + HTML.escape($0) } ?? "<span class=\"none\">unowned</span>"
        let progress =
            row.progress.map { progress in
                // One element per cell, so a phone's stacked layout keeps the parts together.
                "<div><meter min=\"0\" max=\"\(progress.total)\" value=\"\(progress.settled)\"></meter> \(progress.settled)/\(progress.total)"
                    + (progress.current.map { "<br><small>\(HTML.escape($0))</small>" } ?? "") + "</div>"
            } ?? "<span class=\"none\">none</span>"
        return """
            <tr\(classes)>\(id)\(classification)<td data-label="Title">\(HTML.escape(row.title ?? ""))</td>\
            <td data-label="State">\(HTML.escape(row.state?.rawValue ?? ""))</td><td data-label="Owner">\(owner)</td>\
            <td data-label="Level">\(HTML.escape(row.level ?? ""))</td><td data-label="Playbook">\(progress)</td>\
            <td data-label="Next deadline">\(deadline(row.deadline, now: now))</td></tr>
            """
    }

    private func deadline(_ deadline: DashboardSnapshot.Deadline?, now: Date) -> String {
        guard let deadline else { return "<span class=\"none\">none running</span>" }
        let left = deadline.dueAt.timeIntervalSince(now)
        return """
            <div><span class="clock\(deadline.isLegal ? " legal" : "")">\(HTML.escape(deadline.label))</span><br>\
            <span class="countdown\(deadline.breached ? " breached" : "")" data-due="\(milliseconds(deadline.dueAt))" \
            title="due \(HTML.escape(TimeText.clock(deadline.dueAt, now: now, zone: policy.timeZone)))">\(Self.countdown(milliseconds: Int64((left * 1000).rounded())))</span></div>
            """
    }

    private func performance(_ snapshot: DashboardSnapshot) -> String {
        var html = "<section><h2>How the team is doing</h2><div class=\"periods\">"
        for report in snapshot.reports {
            let label = HTML.escape(report.period.label)
            let sla = report.complianceByKind.filter { $0.label != ClockKind.legal.rawValue }
            html += """
                <article class="period"><h3>\(label.prefix(1).uppercased() + label.dropFirst())</h3>\
                <dl class="figures"><div><dt>MTTA</dt><dd>\(median(report.responseTimes.acknowledge))</dd></div>\
                <div><dt>MTTR</dt><dd>\(median(report.responseTimes.resolve))</dd></div>\
                <div><dt>Opened</dt><dd>\(report.opened)</dd></div><div><dt>Resolved</dt><dd>\(report.resolved)</dd></div></dl>\
                <h4>SLA compliance by clock</h4>\(DashboardCharts.compliance(sla, title: "SLA deadlines met, \(report.period.label)"))\
                <h4>Legal deadlines met</h4>\(DashboardCharts.compliance(report.legal, title: "Legal deadlines met, \(report.period.label)"))\
                <h4>Opened and resolved</h4>\(DashboardCharts.trend(report.trend, title: "Opened and resolved, \(report.period.label)"))\
                </article>
                """
        }
        return html + "</div><p class=\"note\">MTTA and MTTR are medians. A deadline counts once decided: met, or breached.</p></section>"
    }

    private func outbox(_ status: StoreStatus, now: Date) -> String {
        var html = "<section><h2>Outbox</h2>"
        if status.outbox.isEmpty {
            html += "<p class=\"good-news\">Every post and page has been delivered.</p>"
        } else {
            html +=
                "<table class=\"outbox\"><thead><tr><th>Channel</th><th>Pending</th><th>Retrying</th><th>Dead letters</th></tr></thead><tbody>"
            for channel in status.outbox {
                html += """
                    <tr\(channel.deadLettered > 0 ? " class=\"breached\"" : "")><td data-label="Channel">\(HTML.escape(channel.channel))</td>\
                    <td data-label="Pending">\(channel.pending)</td><td data-label="Retrying">\(channel.retrying)</td>\
                    <td data-label="Dead letters">\(channel.deadLettered)</td></tr>
                    """
            }
            html += "</tbody></table>"
        }
        if let oldest = status.oldestPending {
            html += "<p>Oldest undelivered row written \(HTML.escape(DurationText.format(now.duration(since: oldest)))) ago.</p>"
        }
        if !status.deadLetters.isEmpty {
            html += "<h3>Latest dead letters</h3><ul class=\"dead\">"
            for letter in status.deadLetters {
                let incident = letter.incident.map { " · " + HTML.escape(policy.displayID($0)) } ?? ""
                html +=
                    "<li>#\(letter.id) · \(HTML.escape(letter.channel))\(incident) · \(letter.attempts) attempts"
                    + (letter.lastError.map { ": " + HTML.escape($0) } ?? "") + "</li>"
            }
            html += "</ul><p class=\"note\">On the box, <code>vigil status</code> shows the same.</p>"
        }
        return html + "</section>"
    }

    // MARK: - Words

    private func median(_ stats: DurationStats?) -> String {
        guard let stats else { return "<span class=\"none\">no sample</span>" }
        return HTML.escape(DurationText.format(.milliseconds(Int64(stats.medianMilliseconds.rounded()))))
            + " <small>(\(stats.count))</small>"
    }

    private func time(_ date: Date) -> String { TimeText.clock(date, now: date, zone: policy.timeZone) }

    private func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// `in 1h 05m 09s` / `12m 03s overdue`: what the script writes each second, and what the page
    /// says before the script runs (or without it).
    static func countdown(milliseconds: Int64) -> String {
        let total = abs(milliseconds) / 1000
        let days = total / 86_400, hours = total % 86_400 / 3_600, minutes = total % 3_600 / 60, seconds = total % 60
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let span =
            days > 0
            ? "\(days)d \(hours)h \(two(minutes))m"
            : hours > 0 ? "\(hours)h \(two(minutes))m \(two(seconds))s" : "\(minutes)m \(two(seconds))s"
        return milliseconds <= 0 ? "\(span) overdue" : "in \(span)"
    }
}
