/// Reads for `vigil audit verify`: walking every incident a page at a time, so checking a
/// large history never holds all of it in memory. Each incident's events and row are then read
/// together with ``IncidentQueries/incidentRecord(_:)``, from one snapshot.
public protocol AuditReads: Sendable {
    /// Up to `limit` incident numbers above `number`, ascending: the next page of a walk that
    /// starts after 0.
    func incidentNumbers(after number: Int, limit: Int) async throws -> [Int]
}
