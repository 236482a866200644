import Foundation
import VigilConfig
import VigilCore
import VigilStore

/// The formats `vigil report` writes.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// The chat report as plain text.
    case text
    /// A markdown document with tables.
    case markdown
    /// One row per incident with every timing (RFC 4180).
    case csv
    /// The figures as stable, documented JSON (``ReportJSON``).
    case json
}

/// Produces `vigil report`'s output from the store: the same figures as `/incident report`.
public struct ReportExport: Sendable {
    let store: any ReportReads
    public let policy: Policy

    /// Breaches an export lists one by one (all are counted): enough for any real period,
    /// bounded so a pathological database cannot make the document unbounded.
    public static let breachLimit = 10_000
    /// Incidents read per store call while writing the CSV.
    public static let csvPageSize = 1_000

    public init(store: any ReportReads, policy: Policy) {
        self.store = store
        self.policy = policy
    }

    /// The export of the database `vigil report` is pointed at: the config's (`configPath`, or
    /// `vigil.yaml` in `workingDirectory`), or local mode's `vigil.sqlite` there; `database`
    /// overrides either. The database must exist: a report never creates one.
    public static func open(
        configPath: String?, database: String?, workingDirectory: String, environment: [String: String]
    ) async throws -> ReportExport {
        let configuration = try StoreOpener.toolConfiguration(
            configPath: configPath, database: database, workingDirectory: workingDirectory, environment: environment)
        let store = try await StoreOpener.open(configuration.database)
        StoreOpener.startIfNeeded(store)
        return ReportExport(store: store, policy: configuration.policy)
    }

    /// Computes the report for `period` at `now`.
    public func report(_ period: ReportPeriod, now: Date, breachLimit: Int = 10) async throws -> KPIReport {
        let query = KPIReport.query(for: period, now: now, timeZone: policy.timeZone, breachLimit: breachLimit)
        return KPIReport(period: period, query: query, facts: try await store.reportFacts(query), policy: policy)
    }

    /// Writes the report in `format`, in pieces, through `write`; the CSV streams page by page,
    /// so memory stays flat however many incidents the period holds.
    public func write(
        _ period: ReportPeriod, now: Date, format: ReportFormat, showsRestrictedTitles: Bool, to write: (String) throws -> Void
    ) async throws {
        switch format {
        case .text:
            let report = try await report(period, now: now, breachLimit: Self.breachLimit)
            let words = ReportText(policy: policy, now: now, showsRestrictedTitles: showsRestrictedTitles)
            try write(words.message(report).plainText + "\n")
        case .markdown:
            let report = try await report(period, now: now, breachLimit: Self.breachLimit)
            try write(ReportMarkdown(policy: policy, now: now, showsRestrictedTitles: showsRestrictedTitles).document(report))
        case .json:
            let report = try await report(period, now: now, breachLimit: Self.breachLimit)
            let document = ReportJSON.document(report, policy: policy, generatedAt: now, showsRestrictedTitles: showsRestrictedTitles)
            try write(document.serializedString() + "\n")
        case .csv:
            let asOf = period.asOf(now)
            let csv = ReportCSV(policy: policy, asOf: asOf, showsRestrictedTitles: showsRestrictedTitles)
            try write(csv.header)
            var after = 0
            while true {
                let page = try await store.reportedIncidents(since: period.since, asOf: asOf, after: after, limit: Self.csvPageSize)
                guard let last = page.last else { break }
                try write(page.map(csv.row).joined())
                after = last.headline.number
            }
        }
    }

    /// The period `vigil report` was asked for: `--period` (the chat forms), or `--since` and
    /// `--until` (each a day `2026-11-01` or a time `"2026-11-01 09:00 [Zone]"`; an `--until`
    /// day is included), defaulting to the 7 days up to now.
    public static func period(period text: String?, since: String?, until: String?, now: Date, timeZone: TimeZone) throws(UserError) -> ReportPeriod {
        if let text {
            guard since == nil, until == nil else { throw UserError("Give either --period or --since/--until, not both.") }
            return try ReportPeriodSpec.parse(text).get().resolve(now: now, timeZone: timeZone)
        }
        let end = try until.map { text throws(UserError) in try instant(text, endOfDay: true, timeZone: timeZone, option: "--until") } ?? now
        let start = try since.map { text throws(UserError) in try instant(text, endOfDay: false, timeZone: timeZone, option: "--since") }
            ?? end.addingTimeInterval(-7 * 86_400)
        guard start < end else { throw UserError("--since must be before --until.") }
        guard start < now else { throw UserError("--since is in the future; a report covers time up to now.") }
        guard end.timeIntervalSince(start) <= Double(ReportPeriodSpec.maximumDays + 1) * 86_400 else {
            throw UserError("The period is longer than \(ReportPeriodSpec.maximumDays) days; export it in parts.")
        }
        let label = "\(TimeText.clock(start, now: .distantPast, zone: timeZone)) – \(TimeText.clock(end, now: .distantPast, zone: timeZone))"
        return ReportPeriod(since: start, until: end, label: label)
    }

    /// A day (its start, or the next day's start for an inclusive end) or a time.
    static func instant(_ text: String, endOfDay: Bool, timeZone: TimeZone, option: String) throws(UserError) -> Date {
        if let day = CalendarDay(text) { return (endOfDay ? day.next : day).start(in: timeZone) }
        if let time = TimeText.parse(text, in: timeZone) { return time }
        throw UserError("\(option) “\(text)” is neither a day (2026-11-01) nor a time (\"2026-11-01 09:00\", optionally with a zone).")
    }
}
