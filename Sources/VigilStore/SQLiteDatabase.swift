import CSQLite

// MARK: - Errors

/// A failed SQLite call: the (extended) result code, SQLite's own message and the first words of
/// the statement. Bound values are never included, so the error is safe to log.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The extended result code (`SQLITE_CONSTRAINT_PRIMARYKEY`, `SQLITE_BUSY`, …).
    public let code: Int32
    /// `sqlite3_errmsg` at the time of the failure.
    public let message: String
    /// The first few words of the SQL that failed (`INSERT INTO events`), or what was being done.
    public let statement: String

    public init(code: Int32, message: String, statement: String) {
        self.code = code
        self.message = message
        self.statement = statement
    }

    /// The primary result code (`SQLITE_CONSTRAINT`, `SQLITE_BUSY`, …).
    public var primaryCode: Int32 { code & 0xFF }

    /// A primary-key or unique constraint failed: another writer inserted the same key first.
    public var isUniquenessViolation: Bool {
        code == SQLiteCode.constraintPrimaryKey || code == SQLiteCode.constraintUnique
    }

    public var description: String { "sqlite error \(code) (\(message)) in \(statement)" }
}

/// Extended result codes whose C macros are expressions Swift does not import.
enum SQLiteCode {
    static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)
    static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)
}

// MARK: - Values

/// A value bound to a statement parameter or read from a result column.
public enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null

    /// An integer, or NULL for `nil`.
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    /// An integer, or NULL for `nil`.
    public init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    /// Text, or NULL for `nil`.
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    /// 1 or 0.
    public init(_ value: Bool) { self = .integer(value ? 1 : 0) }
}

/// The current row of a query. Only valid inside the `row` closure it was handed to.
///
/// Every accessor returns `nil` for NULL *and* for a value of another storage class, so a row
/// written by something else decodes into an error rather than a silently coerced value.
public struct SQLiteRow {
    private let statement: OpaquePointer

    fileprivate init(_ statement: OpaquePointer) { self.statement = statement }

    /// The number of result columns.
    public var count: Int { Int(sqlite3_column_count(statement)) }

    /// Column `index` (0-based) with its storage class.
    public func value(_ index: Int) -> SQLiteValue {
        let column = Int32(index)
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            // Ask for the text before its length: the conversion may change the byte count.
            guard let bytes = sqlite3_column_text(statement, column) else { return .text("") }
            let length = Int(sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let length = Int(sqlite3_column_bytes(statement, column))
            guard length > 0, let raw = sqlite3_column_blob(statement, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: raw, count: length)))
        default:
            return .null
        }
    }

    /// Column `index` if it holds an integer.
    public func int64(_ index: Int) -> Int64? {
        if case let .integer(v) = value(index) { return v }
        return nil
    }

    /// Column `index` if it holds an integer that fits `Int`.
    public func int(_ index: Int) -> Int? { int64(index).map { Int($0) } }

    /// Column `index` if it holds a floating-point number.
    public func double(_ index: Int) -> Double? {
        if case let .real(v) = value(index) { return v }
        return nil
    }

    /// Column `index` if it holds text.
    public func text(_ index: Int) -> String? {
        if case let .text(v) = value(index) { return v }
        return nil
    }

    /// Column `index` if it holds a blob.
    public func blob(_ index: Int) -> [UInt8]? {
        if case let .blob(v) = value(index) { return v }
        return nil
    }

    /// True when column `index` is NULL.
    public func isNull(_ index: Int) -> Bool { sqlite3_column_type(statement, Int32(index)) == SQLITE_NULL }
}

// MARK: - Database

/// One SQLite connection: owns the handle, caches prepared statements and closes both in `deinit`.
///
/// Not thread-safe and deliberately not `Sendable`: confine each instance to one thread (the store
/// runs it on a private serial queue). SQL passed to ``run(_:_:)`` and ``query(_:_:row:)`` should
/// be fixed text with `?` parameters, since statements are cached by their text.
public final class SQLiteDatabase {
    private let handle: OpaquePointer
    private var cache: [String: Statement] = [:]
    /// Above this many distinct statements new ones are prepared per call rather than cached.
    private static let cacheLimit = 64

    /// Opens (creating if needed) the database at `path`; `":memory:"` is a private in-memory one.
    ///
    /// A database file is created with mode 0600 (whatever the umask), and an existing one and
    /// its `-wal` and `-shm` files lose any group or other permissions: see ``DatabaseFileMode``.
    public init(path: String) throws {
        try DatabaseFileMode.makePrivate(path)
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard let opened else {
            throw SQLiteError(code: SQLITE_NOMEM, message: "out of memory", statement: "open")
        }
        do {
            try Self.check(code, opened, "open")
            try Self.check(sqlite3_extended_result_codes(opened, 1), opened, "open")
        } catch {
            sqlite3_close_v2(opened)
            throw error
        }
        handle = opened
    }

    deinit {
        // Finalize the cached statements first; close_v2 would otherwise keep a zombie handle.
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    // MARK: Errors

    /// The one place a SQLite result code becomes a Swift error. Success codes pass through.
    @discardableResult
    static func check(_ code: Int32, _ handle: OpaquePointer?, _ sql: @autoclosure () -> String) throws(SQLiteError)
        -> Int32
    {
        switch code {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE:
            return code
        default:
            let message = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
                ?? String(cString: sqlite3_errstr(code))
            throw SQLiteError(code: code, message: message, statement: firstWords(of: sql()))
        }
    }

    /// Enough of a statement to recognise it in a log, and never its values.
    static func firstWords(of sql: String, count: Int = 3) -> String {
        sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "(" })
            .prefix(count).joined(separator: " ")
    }

    // MARK: Statements

    /// Runs one or more statements without parameters (migrations, pragmas).
    public func execute(_ sql: String) throws {
        try Self.check(sqlite3_exec(handle, sql, nil, nil, nil), handle, sql)
    }

    /// Runs one statement to completion, ignoring any rows it returns.
    public func run(_ sql: String, _ bindings: [SQLiteValue] = []) throws {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        while try statement.step() {}
    }

    /// Runs one query and maps each row.
    public func query<T>(_ sql: String, _ bindings: [SQLiteValue] = [], row: (SQLiteRow) throws -> T) throws -> [T] {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        var rows: [T] = []
        while try statement.step() {
            rows.append(try row(SQLiteRow(statement.pointer)))
        }
        return rows
    }

    /// Runs one query and hands each row to `body` without collecting them, for reads that
    /// aggregate many rows (reports).
    public func forEach(_ sql: String, _ bindings: [SQLiteValue] = [], _ body: (SQLiteRow) throws -> Void) throws {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        while try statement.step() {
            try body(SQLiteRow(statement.pointer))
        }
    }

    /// The first row of a query, mapped, or `nil` when there is none.
    public func queryFirst<T>(_ sql: String, _ bindings: [SQLiteValue] = [], row: (SQLiteRow) throws -> T) throws
        -> T?
    {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        guard try statement.step() else { return nil }
        return try row(SQLiteRow(statement.pointer))
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// True while a transaction is open.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Sets how long a statement waits for another connection's lock before failing with `SQLITE_BUSY`.
    public func setBusyTimeout(milliseconds: Int32) throws {
        try Self.check(sqlite3_busy_timeout(handle, milliseconds), handle, "busy_timeout")
    }

    private func prepared(_ sql: String) throws -> Statement {
        if let statement = cache[sql] {
            // A row closure running the query it was called from must not rebind the statement
            // under the running loop: give it a statement of its own.
            if !statement.isRunning { return statement }
            return try Statement(sql: sql, database: handle)
        }
        let statement = try Statement(sql: sql, database: handle)
        if cache.count < Self.cacheLimit { cache[sql] = statement }
        return statement
    }
}

@available(*, unavailable, message: "confine an SQLiteDatabase to one thread")
extension SQLiteDatabase: Sendable {}

// MARK: - Prepared statement

/// `SQLITE_TRANSIENT`: SQLite copies bound text and blobs before the bind call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One prepared statement, finalized in `deinit`.
private final class Statement {
    let pointer: OpaquePointer
    let sql: String

    init(sql: String, database: OpaquePointer) throws {
        var prepared: OpaquePointer?
        try SQLiteDatabase.check(sqlite3_prepare_v2(database, sql, -1, &prepared, nil), database, sql)
        guard let prepared else {
            // Only white space or a comment: nothing to run.
            throw SQLiteError(code: SQLITE_MISUSE, message: "empty statement", statement: sql)
        }
        pointer = prepared
        self.sql = sql
    }

    deinit { sqlite3_finalize(pointer) }

    private var database: OpaquePointer? { sqlite3_db_handle(pointer) }

    func bind(_ values: [SQLiteValue]) throws {
        let expected = Int(sqlite3_bind_parameter_count(pointer))
        guard values.count == expected else {
            throw SQLiteError(
                code: SQLITE_RANGE, message: "\(values.count) values for \(expected) parameters",
                statement: SQLiteDatabase.firstWords(of: sql))
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case let .integer(v):
                code = sqlite3_bind_int64(pointer, index, v)
            case let .real(v):
                code = sqlite3_bind_double(pointer, index, v)
            case let .text(v):
                // Length-delimited, so text holding U+0000 is stored whole. "" is bound from a
                // literal: an empty buffer may have a nil base address, which would bind NULL.
                if v.isEmpty {
                    code = sqlite3_bind_text(pointer, index, "", 0, transient)
                } else {
                    var text = v
                    code = text.withUTF8 { bytes in
                        bytes.withMemoryRebound(to: CChar.self) { chars in
                            sqlite3_bind_text(pointer, index, chars.baseAddress, Int32(chars.count), transient)
                        }
                    }
                }
            case let .blob(v):
                code = v.isEmpty
                    ? sqlite3_bind_zeroblob(pointer, index, 0)
                    : v.withUnsafeBytes { sqlite3_bind_blob(pointer, index, $0.baseAddress, Int32($0.count), transient) }
            case .null:
                code = sqlite3_bind_null(pointer, index)
            }
            try SQLiteDatabase.check(code, database, sql)
        }
    }

    /// Advances to the next row; `false` when the statement is done.
    func step() throws -> Bool {
        try SQLiteDatabase.check(sqlite3_step(pointer), database, sql) == SQLITE_ROW
    }

    /// Stepped at least once and not reset since.
    var isRunning: Bool { sqlite3_stmt_busy(pointer) != 0 }

    /// Makes the statement ready for its next use and drops references to bound values.
    func reset() {
        sqlite3_reset(pointer)
        sqlite3_clear_bindings(pointer)
    }
}
