/// Reads for the records: `vigil audit verify` walks every incident a page at a time, so
/// checking a large history never holds all of it in memory (each incident's events and row are
/// then read together with ``IncidentQueries/incidentRecord(_:)``, from one snapshot); the
/// preservation ledger is read from the events that make it.
public protocol AuditReads: Sendable {
    /// Up to `limit` incident numbers above `number`, ascending: the next page of a walk that
    /// starts after 0.
    func incidentNumbers(after number: Int, limit: Int) async throws -> [Int]

    /// Every event of the kinds the preservation ledger is made of
    /// (``PreservationLedger/eventKinds``), by incident and sequence.
    func ledgerEvents() async throws -> [IncidentEvent]
}
