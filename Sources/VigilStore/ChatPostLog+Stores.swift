import Foundation
import VigilCore

/// The posts Vigil made through platform APIs (`chat_posts`), on both stores alike.
enum ChatPostRows {
    static let insert = """
        INSERT INTO chat_posts (incident, platform, channel, post_id, created_at_ms) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (platform, channel, post_id) DO NOTHING
        """

    static let select = """
        SELECT incident, platform, channel, post_id, created_at_ms FROM chat_posts WHERE incident = ? ORDER BY created_at_ms, id
        """

    static func bindings(_ post: ChatPost) -> [SQLiteValue] {
        [
            SQLiteValue(post.incident), .text(post.platform), .text(post.channel), .text(post.postID),
            .integer(StoreTime.milliseconds(post.at)),
        ]
    }

    static func post<Row: StoreRow>(_ row: Row) throws -> ChatPost {
        var r = RowReader(row, table: "chat_posts", columns: ["incident", "platform", "channel", "post_id", "created_at_ms"])
        return ChatPost(incident: try r.int(), platform: try r.text(), channel: try r.text(), postID: try r.text(), at: try r.date())
    }
}

extension SQLiteIncidentStore {
    public func recordPost(_ post: ChatPost) async throws {
        let bindings = ChatPostRows.bindings(post)
        try await perform("record a chat post") { database in try database.run(ChatPostRows.insert, bindings) }
    }

    public func posts(of incident: Int) async throws -> [ChatPost] {
        try await reading("read an incident's chat posts") { database in
            try database.query(ChatPostRows.select, [SQLiteValue(incident)]) { try ChatPostRows.post($0) }
        }
    }
}

extension PostgresIncidentStore: ChatPostLog {
    public func recordPost(_ post: ChatPost) async throws {
        let logger = logger
        let bindings = ChatPostRows.bindings(post)
        try await writing("record a chat post") { connection in
            _ = try await connection.rows(ChatPostRows.insert, bindings, logger: logger)
            return ((), true)
        }
    }

    public func posts(of incident: Int) async throws -> [ChatPost] {
        let logger = logger
        return try await reading("read an incident's chat posts") { connection in
            try await connection.rows(ChatPostRows.select, [SQLiteValue(incident)], logger: logger).map { try ChatPostRows.post($0) }
        }
    }
}
