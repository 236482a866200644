import Foundation

/// The CSV export (`vigil report --format csv`): one row per incident with every timing, for
/// spreadsheets. RFC 4180: comma-separated, CRLF line ends, fields with a comma, a quote or a
/// line break quoted, quotes doubled. Times are UTC ISO 8601; durations are seconds.
///
/// Columns, in order (documented in the README; add new ones at the end only):
/// `id, title, restricted, severity, category, state, level, owner, reporter, playbook, refs,
/// known_at, opened_at, reopened_at, acknowledged_at, resolved_at, time_to_acknowledge_s,
/// time_to_resolve_s, ack_due_at, ack_outcome, resolve_due_at, resolve_outcome, legal_rule,
/// legal_due_at, legal_outcome, steps_met, steps_breached, breached_deadlines`.
///
/// An outcome is `met`, `breached` (stopped late, or still running past its deadline at the
/// report's end), `running` or `cancelled`; empty when the incident has no such clock. Owner and
/// reporter are names, without `@`.
///
/// Text cells that a spreadsheet would run as a formula are neutralised (OWASP's CSV-injection
/// rule): a cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return, or the fullwidth
/// `＝ ＋ － ＠` that some spreadsheets fold to them, gets a leading `'` and is quoted. Number and
/// time columns are Vigil's own digits and stay numbers.
public struct ReportCSV: Sendable {
    public static let columns = [
        "id", "title", "restricted", "severity", "category", "state", "level", "owner", "reporter", "playbook", "refs",
        "known_at", "opened_at", "reopened_at", "acknowledged_at", "resolved_at", "time_to_acknowledge_s", "time_to_resolve_s",
        "ack_due_at", "ack_outcome", "resolve_due_at", "resolve_outcome", "legal_rule", "legal_due_at", "legal_outcome",
        "steps_met", "steps_breached", "breached_deadlines",
    ]

    public let policy: Policy
    /// The end of the report: a clock still running past its deadline then counts as breached.
    public let asOf: Date
    public let showsRestrictedTitles: Bool

    public init(policy: Policy, asOf: Date, showsRestrictedTitles: Bool) {
        self.policy = policy
        self.asOf = asOf
        self.showsRestrictedTitles = showsRestrictedTitles
    }

    /// The header line, CRLF-terminated.
    public var header: String { Self.line(Self.columns) }

    /// One incident's line, CRLF-terminated.
    public func row(_ incident: ReportedIncident) -> String {
        let headline = incident.headline
        let clocks = incident.clocks.filter { $0.kind != .escalation }
        let ack = clocks.first { $0.name == ClockPlanner.ackName }
        let resolve = clocks.first { $0.name == ClockPlanner.resolveName }
        let legal = clocks.first { $0.kind == .legal }
        let steps = clocks.filter { $0.kind == .step }
        let outcomes = clocks.map(outcome)
        let text = Self.text
        let fields: [String] = [
            text(policy.displayID(headline.number)),
            text(headline.restricted && !showsRestrictedTitles ? "(restricted: title hidden)" : headline.title),
            headline.restricted ? "true" : "false", text(headline.severity), text(headline.category), headline.state.rawValue, "\(incident.level)",
            text(headline.owner?.name ?? ""), text(incident.reporter.name), text(incident.playbook ?? ""),
            text(incident.refs.joined(separator: " ")),
            Self.time(incident.knownAt), Self.time(headline.openedAt), Self.time(incident.reopenedAt), Self.time(incident.acknowledgedAt),
            Self.time(incident.resolvedAt), Self.seconds(incident.acknowledgeMilliseconds), Self.seconds(incident.resolveMilliseconds),
            Self.time(ack?.dueAt), ack.map(outcome) ?? "", Self.time(resolve?.dueAt), resolve.map(outcome) ?? "",
            text(legal?.rule ?? ""), Self.time(legal?.dueAt), legal.map(outcome) ?? "",
            "\(steps.filter { outcome($0) == "met" }.count)", "\(steps.filter { outcome($0) == "breached" }.count)",
            "\(outcomes.filter { $0 == "breached" }.count)",
        ]
        return Self.line(fields)
    }

    /// How a clock stood at the report's end.
    public func outcome(_ clock: ClockRow) -> String {
        switch clock.state {
        case .met: "met"
        case .missed: "breached"
        case .cancelled: "cancelled"
        case .running: clock.dueAt < asOf ? "breached" : "running"
        }
    }

    static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    /// A field as RFC 4180 wants it. A neutralised text cell (see ``text(_:)``) is always quoted.
    static func quote(_ field: String) -> String {
        guard field.hasPrefix("'") || field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The first characters that make a spreadsheet read a cell as a formula (or, for tab and
    /// carriage return, hide one after white space), with their fullwidth forms.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}"]

    /// A text cell that no spreadsheet will run: one beginning with a formula character gets a
    /// leading `'`, which spreadsheets read as "this is text". Only text columns go through
    /// this; a negative number in a number column stays a number.
    static func text(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, formulaStarts.contains(first) else { return value }
        return "'" + value
    }

    /// UTC ISO 8601 with milliseconds, or empty.
    static func time(_ date: Date?) -> String {
        guard let date else { return "" }
        return ISOTimestamp.string(date)
    }

    /// Seconds with millisecond precision, or empty.
    static func seconds(_ milliseconds: Int64?) -> String {
        guard let milliseconds else { return "" }
        return String(format: "%.3f", Double(milliseconds) / 1000)
    }
}
