import Foundation
import VigilCore

/// The channels Vigil made for incidents (`incident_rooms`), on both stores alike.
enum IncidentRoomRows {
    static let columns = [
        "incident", "platform", "channel", "name", "visibility", "archive_after_s", "created_at_ms", "archived_at_ms",
    ]

    static let insert = """
        INSERT INTO incident_rooms (\(columns.joined(separator: ", "))) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (platform, channel) DO NOTHING
        """

    static let selectOfIncident =
        "SELECT \(columns.joined(separator: ", ")) FROM incident_rooms WHERE incident = ? ORDER BY created_at_ms, channel"

    static let selectByChannel = "SELECT \(columns.joined(separator: ", ")) FROM incident_rooms WHERE platform = ? AND channel = ?"

    /// Rooms of resolved incidents past their delay; the delay is per room, so the comparison is
    /// on the sum (a reopened incident has no `resolved_at_ms` and is never selected).
    static let selectDueForArchive = """
        SELECT \(columns.map { "r." + $0 }.joined(separator: ", ")) FROM incident_rooms r
        JOIN incidents i ON i.number = r.incident
        WHERE r.archived_at_ms IS NULL AND i.state = 'resolved' AND i.resolved_at_ms IS NOT NULL
          AND i.resolved_at_ms + r.archive_after_s * 1000 <= ?
        ORDER BY i.resolved_at_ms, r.channel LIMIT ?
        """

    static let markArchived = """
        UPDATE incident_rooms SET archived_at_ms = ? WHERE platform = ? AND channel = ? AND archived_at_ms IS NULL
        """

    static func bindings(_ room: IncidentRoom) -> [SQLiteValue] {
        [
            SQLiteValue(room.incident), .text(room.platform), .text(room.channel), .text(room.name), .text(room.visibility.rawValue),
            .integer(room.archiveAfter.components.seconds), .integer(StoreTime.milliseconds(room.createdAt)),
            SQLiteValue(room.archivedAt.map(StoreTime.milliseconds)),
        ]
    }

    static func room<Row: StoreRow>(_ row: Row) throws -> IncidentRoom {
        var r = RowReader(row, table: "incident_rooms", columns: columns)
        let incident = try r.int(), platform = try r.text(), channel = try r.text(), name = try r.text()
        guard let visibility = RoomVisibility(rawValue: try r.text()) else {
            throw RowDecodingError("incident_rooms.visibility: neither public nor private")
        }
        let archiveAfter = Duration.seconds(try r.int64())
        return IncidentRoom(
            incident: incident, platform: platform, channel: channel, name: name, visibility: visibility, archiveAfter: archiveAfter,
            createdAt: try r.date(), archivedAt: try r.optionalDate())
    }
}

extension SQLiteIncidentStore {
    public func recordRoom(_ room: IncidentRoom) async throws {
        let bindings = IncidentRoomRows.bindings(room)
        try await perform("record an incident's channel") { database in try database.run(IncidentRoomRows.insert, bindings) }
    }

    public func rooms(of incident: Int) async throws -> [IncidentRoom] {
        try await reading("read an incident's channels") { database in
            try database.query(IncidentRoomRows.selectOfIncident, [SQLiteValue(incident)]) { try IncidentRoomRows.room($0) }
        }
    }

    public func room(platform: String, channel: String) async throws -> IncidentRoom? {
        try await reading("find an incident by its channel") { database in
            try database.query(IncidentRoomRows.selectByChannel, [.text(platform), .text(channel)]) { try IncidentRoomRows.room($0) }.first
        }
    }

    public func roomsDueForArchive(now: Date, limit: Int) async throws -> [IncidentRoom] {
        try await reading("find incident channels to archive") { database in
            try database.query(
                IncidentRoomRows.selectDueForArchive, [.integer(StoreTime.milliseconds(now)), SQLiteValue(limit)]
            ) { try IncidentRoomRows.room($0) }
        }
    }

    public func markRoomArchived(platform: String, channel: String, at: Date) async throws {
        let bindings: [SQLiteValue] = [.integer(StoreTime.milliseconds(at)), .text(platform), .text(channel)]
        try await perform("note an incident channel archived") { database in try database.run(IncidentRoomRows.markArchived, bindings) }
    }
}

extension PostgresIncidentStore: IncidentRoomStore {
    public func recordRoom(_ room: IncidentRoom) async throws {
        let logger = logger
        let bindings = IncidentRoomRows.bindings(room)
        try await writing("record an incident's channel") { connection in
            _ = try await connection.rows(IncidentRoomRows.insert, bindings, logger: logger)
            return ((), true)
        }
    }

    public func rooms(of incident: Int) async throws -> [IncidentRoom] {
        let logger = logger
        return try await reading("read an incident's channels") { connection in
            try await connection.rows(IncidentRoomRows.selectOfIncident, [SQLiteValue(incident)], logger: logger).map {
                try IncidentRoomRows.room($0)
            }
        }
    }

    public func room(platform: String, channel: String) async throws -> IncidentRoom? {
        let logger = logger
        return try await reading("find an incident by its channel") { connection in
            try await connection.rows(IncidentRoomRows.selectByChannel, [.text(platform), .text(channel)], logger: logger).map {
                try IncidentRoomRows.room($0)
            }.first
        }
    }

    public func roomsDueForArchive(now: Date, limit: Int) async throws -> [IncidentRoom] {
        let logger = logger
        return try await reading("find incident channels to archive") { connection in
            try await connection.rows(
                IncidentRoomRows.selectDueForArchive, [.integer(StoreTime.milliseconds(now)), SQLiteValue(limit)], logger: logger
            ).map { try IncidentRoomRows.room($0) }
        }
    }

    public func markRoomArchived(platform: String, channel: String, at: Date) async throws {
        let logger = logger
        let bindings: [SQLiteValue] = [.integer(StoreTime.milliseconds(at)), .text(platform), .text(channel)]
        try await writing("note an incident channel archived") { connection in
            _ = try await connection.rows(IncidentRoomRows.markArchived, bindings, logger: logger)
            return ((), true)
        }
    }
}
