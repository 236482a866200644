import Foundation
import VigilCore

/// `GET /metrics`'s statements, shared by both stores, and the folding of their rows. Each is a
/// `GROUP BY` over bounded columns, so a scrape costs two small aggregate reads.
enum MetricsQueries {
    static let incidents = """
        SELECT severity, category, state, count(*) FROM incidents
        WHERE state <> 'resolved' GROUP BY severity, category, state
        """

    static let clocks = """
        SELECT c.kind, c.state, count(*) FROM clocks c JOIN incidents i ON i.number = c.incident
        WHERE i.state <> 'resolved' GROUP BY c.kind, c.state
        """

    static func incident<Row: StoreRow>(_ row: Row) -> StoreMetricsCounts.Incidents? {
        guard let severity = row.text(0), let category = row.text(1),
            let state = row.text(2).flatMap(IncidentState.init(rawValue:))
        else { return nil }
        return StoreMetricsCounts.Incidents(severity: severity, category: category, state: state, count: StatusQueries.count(row, 3))
    }

    // A kind or state a later version wrote and this one does not know is left out rather than
    // exported as an unbounded label.
    static func clock<Row: StoreRow>(_ row: Row) -> StoreMetricsCounts.Clocks? {
        guard let kind = row.text(0).flatMap(ClockKind.init(rawValue:)), let state = row.text(1).flatMap(ClockState.init(rawValue:))
        else { return nil }
        return StoreMetricsCounts.Clocks(kind: kind, state: state, count: StatusQueries.count(row, 2))
    }
}
