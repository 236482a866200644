import Foundation
import VigilCore

// MARK: - Audit

/// `vigil audit verify`'s walk over every incident: a page of numbers at a time, by the primary
/// key, on the report reader so a long walk never delays a view. The events and row of each
/// incident are then read together by ``incidentRecord(_:)``.
extension SQLiteIncidentStore {
    public func incidentNumbers(after number: Int, limit: Int) async throws -> [Int] {
        guard limit > 0 else { return [] }
        return try await reading("incident numbers", lane: .report) { database in
            try database.query(Self.incidentNumbersQuery, [SQLiteValue(number), SQLiteValue(limit)]) { row in
                var reader = RowReader(row, table: "incidents", columns: ["number"])
                return try reader.int()
            }
        }
    }

    /// A page of incident numbers above the first value, at most the second; the PostgreSQL
    /// store runs it too.
    static let incidentNumbersQuery = "SELECT number FROM incidents WHERE number > ? ORDER BY number LIMIT ?"

    /// The preservation ledger's events (``PreservationLedger/eventKinds``), through `events_by_kind`.
    static let ledgerEventsQuery =
        "\(StoreRows.selectEvents) WHERE kind IN \(PreservationLedger.eventKinds.sqlList) ORDER BY incident, sequence"

    public func ledgerEvents() async throws -> [IncidentEvent] {
        try await reading("the preservation ledger", lane: .report) { database in
            try database.query(Self.ledgerEventsQuery, []) { try StoreRows.event($0) }
        }
    }
}

extension [EventKind] {
    /// `('preserved', 'held')`: the kinds as an SQL list (raw values are fixed words, never input).
    var sqlList: String { "(" + map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")" }
}
