import Foundation
import VigilCore

// MARK: - Clocks

/// Clock rows are written by ``SQLiteIncidentStore/commit(_:)`` in the unit of work's transaction,
/// upserted by (incident, name), and only for the incident that unit of work changes.
extension SQLiteIncidentStore {
    public func clocks(of number: Int) async throws -> [ClockRow] {
        try await perform("clocks") { database in
            try database.query(
                "\(StoreRows.selectClocks) WHERE incident = ? ORDER BY due_at_ms, name", [SQLiteValue(number)]
            ) { try StoreRows.clock($0) }
        }
    }

    /// Refuses clocks the unit of work cannot write: with no incident, for another incident, or
    /// two rows for one name (which would leave the result to the order of the array).
    static func validateClocks(_ work: UnitOfWork) throws {
        guard !work.clocks.isEmpty else { return }
        guard let number = work.incident?.number else { throw StoreError(.failure, "clocks without an incident") }
        var names: Set<String> = []
        for (offset, clock) in work.clocks.enumerated() {
            guard clock.incident == number else {
                throw StoreError(
                    .failure, "clock \(offset + 1) of the unit of work is for incident \(clock.incident), not \(number)")
            }
            guard names.insert(clock.name).inserted else {
                throw StoreError(.failure, "clock \(offset + 1) of the unit of work repeats an earlier clock's name")
            }
        }
    }

    /// Upserts the unit of work's clocks; runs inside the commit's transaction, after the
    /// projection they reference has been written.
    static func writeClocks(_ clocks: [ClockRow], in database: SQLiteDatabase) throws {
        for clock in clocks {
            try database.run(StoreRows.upsertClock, StoreRows.bindings(clock))
        }
    }
}
