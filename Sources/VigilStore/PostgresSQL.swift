import Foundation
import Logging
import PostgresNIO
import VigilCore

// MARK: - Statements and rows

/// The PostgreSQL store's SQL is written with `?` placeholders, as the SQLite store's is, so the
/// two share their column lists and upserts (``StoreRows``); this turns them into `$1, $2, …`
/// and binds ``SQLiteValue``s as `int8`, `float8`, `text` and `bytea`.
enum PostgresStatement {
    /// `sql` with each `?` outside a quoted string or identifier numbered in order.
    static func numbered(_ sql: String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                result.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                result.append(character)
            } else if character == "?" {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func query(_ sql: String, _ values: [SQLiteValue]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case let .integer(integer): binds.append(integer)
            case let .real(real): binds.append(real)
            case let .text(text): binds.append(text)
            case let .blob(bytes): binds.append(ByteBuffer(bytes: bytes))
            case .null: binds.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: numbered(sql), binds: binds)
    }
}

/// A PostgreSQL result row read into the values the shared row decoders take: every integer type
/// as a 64-bit integer, booleans as 0 or 1, and text as text.
struct PostgresValues: StoreRow, Sendable {
    let values: [SQLiteValue]

    init(_ row: PostgresRow) throws {
        var values: [SQLiteValue] = []
        values.reserveCapacity(row.count)
        for cell in row {
            guard cell.bytes != nil else {
                values.append(.null)
                continue
            }
            switch cell.dataType {
            case .int2, .int4, .int8, .oid: values.append(.integer(try cell.decode(Int64.self)))
            case .bool: values.append(.integer(try cell.decode(Bool.self) ? 1 : 0))
            case .float4, .float8: values.append(.real(try cell.decode(Double.self)))
            case .bytea: values.append(.blob(Array(buffer: try cell.decode(ByteBuffer.self))))
            case .numeric:
                // Only sums reach here (`sum(bigint)` is numeric); the queries cast them back,
                // but an exact integer is still read as one.
                let text = try cell.decode(String.self)
                values.append(Int64(text).map(SQLiteValue.integer) ?? .text(text))
            default: values.append(.text(try cell.decode(String.self)))
            }
        }
        self.values = values
    }

    func value(_ index: Int) -> SQLiteValue { index >= 0 && index < values.count ? values[index] : .null }
    func isNull(_ index: Int) -> Bool { value(index) == .null }
    func int64(_ index: Int) -> Int64? {
        if case let .integer(value) = value(index) { return value }
        return nil
    }
    func int(_ index: Int) -> Int? { int64(index).map { Int($0) } }
    func text(_ index: Int) -> String? {
        if case let .text(value) = value(index) { return value }
        return nil
    }
}

extension PostgresConnection {
    /// Runs one statement and reads every row it returns.
    func rows(_ sql: String, _ values: [SQLiteValue] = [], logger: Logger) async throws -> [PostgresValues] {
        let sequence = try await query(PostgresStatement.query(sql, values), logger: logger)
        var rows: [PostgresValues] = []
        for try await row in sequence { rows.append(try PostgresValues(row)) }
        return rows
    }

    /// Runs one statement and decodes each row with `decode`.
    func rows<T>(_ sql: String, _ values: [SQLiteValue] = [], logger: Logger, _ decode: (PostgresValues) throws -> T) async throws -> [T] {
        try await rows(sql, values, logger: logger).map(decode)
    }

    /// Runs one statement for its effect. (postgres-nio does not expose the command tag; a
    /// statement whose count matters says `RETURNING` and counts its rows.)
    func execute(_ sql: String, _ values: [SQLiteValue] = [], logger: Logger) async throws {
        let sequence = try await query(PostgresStatement.query(sql, values), logger: logger)
        for try await _ in sequence {}
    }
}

// MARK: - Errors

extension PSQLError {
    /// The server's SQLSTATE, when the server refused the statement.
    var sqlState: String? { serverInfo?[.sqlState] }

    /// A failure that re-running the whole transaction can cure: a serialization failure, a
    /// deadlock, or a unique key another transaction committed first (an idempotency record, a
    /// once-key or an event sequence), which the re-run then reads.
    var isRetryable: Bool {
        switch sqlState {
        case "40001", "40P01", "23505": true
        default: false
        }
    }

    /// The server's message, without the query text or bound values (which may hold a restricted
    /// incident's title).
    var serverMessage: String {
        guard let serverInfo else { return "\(code)" }
        let state = serverInfo[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
        return (serverInfo[.message] ?? "\(code)") + state
    }
}
