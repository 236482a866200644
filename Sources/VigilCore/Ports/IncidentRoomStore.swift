import Foundation

/// The store's record of the channels Vigil made for incidents (``IncidentRoom``). Kept in the
/// database, so that any replica finds the channel an incident already has instead of making a
/// second, knows which incident a command typed in a channel is about, and archives each
/// channel once, however many replicas run.
public protocol IncidentRoomStore: Sendable {
    /// Records a channel just made. Recording the same channel again keeps the first record.
    func recordRoom(_ room: IncidentRoom) async throws

    /// The incident's channels, archived or not, oldest first.
    func rooms(of incident: Int) async throws -> [IncidentRoom]

    /// The channel with this platform id, if Vigil made it for an incident.
    func room(platform: String, channel: String) async throws -> IncidentRoom?

    /// Channels not archived whose incident has been resolved for at least the channel's
    /// `archiveAfter` at `now`, at most `limit`, longest-resolved first.
    func roomsDueForArchive(now: Date, limit: Int) async throws -> [IncidentRoom]

    /// Notes that the channel was archived at `at`.
    func markRoomArchived(platform: String, channel: String, at: Date) async throws
}
