import Foundation
import VigilCore

/// The dashboard's small charts, drawn as inline SVG on the server: nothing to load, nothing to
/// run, and they print. Colours come from the stylesheet's classes (the page's policy allows no
/// inline style); sizes are in the viewBox, so a chart scales with its column on a phone.
enum DashboardCharts {
    /// Horizontal bars: the share of deadlines met, one bar per row (`ack`, `resolve`, a legal
    /// rule…), with the figures written beside each bar.
    static func compliance(_ rows: [ComplianceRow], title: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">No deadline decided in this period.</p>" }
        let rowHeight = 22, labelWidth = 120, barWidth = 130, width = 320
        var svg = """
            <svg class="chart bars" viewBox="0 0 \(width) \(rows.count * rowHeight)" role="img" aria-label="\(HTML.escape(title))">\
            <title>\(HTML.escape(title))</title>
            """
        for (index, row) in rows.enumerated() {
            let y = index * rowHeight
            let rate = row.rate ?? 0
            let filled = Int((rate * Double(barWidth)).rounded())
            let grade = rate >= 0.95 ? "good" : rate >= 0.8 ? "fair" : "poor"
            let label = row.label.count > 18 ? String(row.label.prefix(17)) + "…" : row.label
            svg += """
                <text class="label" x="0" y="\(y + 15)">\(HTML.escape(label))</text>\
                <rect class="track" x="\(labelWidth)" y="\(y + 4)" width="\(barWidth)" height="14" rx="3"/>\
                <rect class="bar \(grade)" x="\(labelWidth)" y="\(y + 4)" width="\(filled)" height="14" rx="3">\
                <title>\(HTML.escape(row.label)): \(row.met) of \(row.decided) met</title></rect>\
                <text class="figure" x="\(labelWidth + barWidth + 6)" y="\(y + 15)">\(percent(rate)) · \(row.met)/\(row.decided)</text>
                """
        }
        return svg + "</svg>"
    }

    /// Opened (bars) and resolved (line) per day or hour of the period.
    static func trend(_ trend: KPIReport.Trend, title: String) -> String {
        let count = trend.starts.count
        guard count > 0 else { return "" }
        let width = 320, height = 90, baseline = 76
        let peak = max(1, (trend.opened + trend.resolved).max() ?? 1)
        let step = Double(width) / Double(count)
        func y(_ value: Int) -> Int { baseline - Int((Double(value) / Double(peak) * 64).rounded()) }
        var svg = """
            <svg class="chart trend" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(HTML.escape(title))">\
            <title>\(HTML.escape(title))</title>\
            <line class="axis" x1="0" y1="\(baseline)" x2="\(width)" y2="\(baseline)"/>
            """
        for (index, opened) in trend.opened.enumerated() where opened > 0 {
            let x = Double(index) * step + step * 0.15
            svg += """
                <rect class="opened" x="\(format(x))" y="\(y(opened))" width="\(format(step * 0.7))" height="\(baseline - y(opened))">\
                <title>\(opened) opened</title></rect>
                """
        }
        let points = trend.resolved.enumerated().map { index, resolved in "\(format(Double(index) * step + step / 2)),\(y(resolved))" }
        svg += "<polyline class=\"resolved\" points=\"\(points.joined(separator: " "))\"/>"
        svg += "<text class=\"label\" x=\"0\" y=\"\(height - 2)\">peak \(peak) a \(trend.unit == .hour ? "hour" : "day")</text>"
        return svg + "</svg>"
    }

    static func percent(_ rate: Double) -> String {
        // Rounded down, so that a period with one miss never reads 100%.
        let value = (rate * 1000).rounded(.down) / 10
        return value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
