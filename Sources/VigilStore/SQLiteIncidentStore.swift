import Dispatch
import Foundation
import VigilCore

/// The SQLite implementation of every store role (``IncidentStore``): one database file in WAL
/// mode, one writer connection and a few reader connections.
///
/// A `final class`, not an actor: an actor's methods would run SQLite's blocking calls (disk
/// reads, fsync, waiting on another process's lock) on Swift's cooperative pool, which has one
/// thread per core and stalls every other task while it waits. Writes go to ``SQLiteWriter``,
/// which commits them in groups on its own queue; reads go to ``SQLiteReaders``, WAL readers on
/// queues of their own, so a view never waits for a group and a report never waits for, or
/// delays, either. Callers are resumed through checked continuations.
///
/// Errors are ``StoreError``s (`.conflict` and `.duplicateRequest` from ``commit(_:)``, `.failure`
/// for SQLite errors, rows that do not decode and a closed store), except that what a unit's
/// `decide` throws reaches the caller unchanged.
public final class SQLiteIncidentStore: IncidentStore, @unchecked Sendable {
    /// How hard a commit tries to reach the disk.
    public enum Durability: Sendable, Equatable {
        /// `synchronous=NORMAL`: a commit survives a process crash; a power cut may lose the last ones.
        case normal
        /// `synchronous=FULL`: every group's commit is fsynced before any of its callers is resumed.
        case full
    }

    let writer: SQLiteWriter
    /// `nil` for an in-memory database, which only its own connection can see: there, reads run
    /// on the writer's queue between groups.
    private let readers: SQLiteReaders?
    let now: @Sendable () -> Date
    /// Checkpoints the WAL off the writer's queue; `nil` for an in-memory database.
    private let checkpointer: WALCheckpointer?

    private init(writer: SQLiteWriter, readers: SQLiteReaders?, checkpointer: WALCheckpointer?, now: @escaping @Sendable () -> Date) {
        self.writer = writer
        self.readers = readers
        self.checkpointer = checkpointer
        self.now = now
    }

    deinit {
        // Close after any work still queued; never wait here, since the last reference may be
        // dropped on one of the store's own queues.
        let writer = writer
        let readers = readers
        Task.detached {
            await writer.close()
            await readers?.close()
        }
        // `stop` waits for a checkpoint in progress: on a GCD thread, not the cooperative pool.
        if let checkpointer { DispatchQueue.global().async { checkpointer.stop() } }
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// Synchronous: it blocks the caller for the open and any migrations, so call it once at
    /// start-up, before serving. Every later call hops to one of the store's own queues.
    ///
    /// - Parameters:
    ///   - busyTimeout: how long a write waits for another process holding the lock.
    ///   - now: the clock for rows that carry no time of their own (an outbox row caused by a
    ///     command without events); rows that do use the events' time.
    ///   - checkpointEvery: how often the WAL is copied back (see `WALCheckpointer`); tests that
    ///     drive checkpoints by hand pass a long one.
    ///   - hooks: seams for tests and benchmarks (see ``StoreHooks``).
    public static func open(
        path: String, durability: Durability = .normal, busyTimeout: Duration = .seconds(5),
        now: @escaping @Sendable () -> Date = { Date() }, checkpointEvery: Duration = .milliseconds(500),
        hooks: StoreHooks = StoreHooks()
    ) throws -> SQLiteIncidentStore {
        try translatingErrors("open") {
            let database = try SQLiteDatabase(path: path)
            let mode = try database.queryFirst("PRAGMA journal_mode = WAL") { $0.text(0) } ?? nil
            // An in-memory database reports "memory" and cannot use WAL; that is fine.
            guard mode == "wal" || mode == "memory" else {
                throw StoreError(.failure, "cannot switch \(path) to WAL mode (it is in \(mode ?? "no") mode)")
            }
            try database.execute("PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
            try database.execute("PRAGMA foreign_keys = ON")
            let (seconds, attoseconds) = busyTimeout.components
            let milliseconds = Int32(min(max(Double(seconds) * 1000 + Double(attoseconds) / 1e15, 0), Double(Int32.max)))
            try database.setBusyTimeout(milliseconds: milliseconds)
            try SQLiteMigrations.migrate(database)
            var checkpointer: WALCheckpointer?
            var readers: SQLiteReaders?
            if mode == "wal" {
                let interval = Int(min(checkpointEvery.components.seconds * 1000 + checkpointEvery.components.attoseconds / 1_000_000_000_000_000, 86_400_000))
                checkpointer = try WALCheckpointer(
                    path: path, busyTimeoutMilliseconds: milliseconds, interval: .milliseconds(max(1, interval)))
                try database.execute("PRAGMA wal_autocheckpoint = \(WALCheckpointer.autocheckpointPages)")
                // A restarted log is cut back to this size, so one burst does not keep a
                // large WAL file on disk for good.
                try database.execute("PRAGMA journal_size_limit = \(WALCheckpointer.journalSizeLimit)")
                readers = try SQLiteReaders(path: path, busyTimeoutMilliseconds: milliseconds, hooks: hooks)
            }
            return SQLiteIncidentStore(
                writer: SQLiteWriter(database: database, hooks: hooks), readers: readers, checkpointer: checkpointer, now: now)
        }
    }

    /// Closes the connections once the work already queued is done; later calls fail with `.failure`.
    public func close() async {
        await writer.close()
        await readers?.close()
        if let checkpointer {
            // `stop` waits for a checkpoint in progress: on a GCD thread, not the cooperative pool.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async {
                    checkpointer.stop()
                    continuation.resume()
                }
            }
        }
    }

    /// How group commit has gone since the store opened (for benchmarks and metrics).
    public var groupCommitStatistics: GroupCommitStatistics { writer.groupStatistics }

    /// Runs `body` on a reader inside a read transaction that is always rolled back: one
    /// consistent snapshot, and nothing written survives. For tests and tools.
    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteDatabase) throws -> T) async throws -> T {
        try await reading("read") { database in try body(database) }
    }

    // MARK: - Running on the writer and the readers

    /// Runs `body` as one unit of the writer's next group (in its own savepoint), translating its
    /// errors; it returns once the group is durable.
    func perform<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (SQLiteDatabase) throws -> T
    ) async throws -> T {
        do {
            return try await writer.run(body)
        } catch {
            throw Self.translated(error, operation)
        }
    }

    /// Runs `body` on a reader of `lane` in a read transaction, translating its errors.
    func reading<T: Sendable>(
        _ operation: String, lane: SQLiteReaders.Lane = .view, _ body: @escaping @Sendable (SQLiteDatabase) throws -> T
    ) async throws -> T {
        do {
            guard let readers else {
                return try await writer.direct { database in try database.readTransaction { try body(database) } }
            }
            return try await readers.read(operation, lane: lane, body)
        } catch {
            throw Self.translated(error, operation)
        }
    }

    /// Turns whatever `body` throws into a ``StoreError``, naming the operation.
    private static func translatingErrors<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw translated(error, operation)
        }
    }

    /// `error` as a ``StoreError``; what a unit's `decide` threw, and its answer, pass as they are.
    private static func translated(_ error: any Error, _ operation: String) -> any Error {
        switch error {
        case is StoreError, is any UnitSignal: error
        default: StoreError(.failure, "\(operation): \(error)")
        }
    }

    // MARK: - Reads

    public func storedRequest(requestID: String) async throws -> StoredRequest? {
        try await reading("stored request") { try Self.storedRequest(requestID, in: $0) }
    }

    public func incident(_ number: Int) async throws -> Incident? {
        try await reading("incident") { try Self.incident(number, in: $0) }
    }

    public func incidentRecord(_ number: Int) async throws -> IncidentRecord? {
        try await reading("incident record") { database in
            guard let incident = try Self.incident(number, in: database) else { return nil }
            return IncidentRecord(
                incident: incident, events: try Self.events(of: number, in: database), clocks: try Self.clocks(of: number, in: database))
        }
    }

    public func incidents(matching filter: IncidentFilter) async throws -> [Incident] {
        guard filter.limit > 0 else { return [] }
        let (sql, bindings) = Self.incidentsQuery(filter)
        return try await reading("incidents") { database in
            try database.query(sql, bindings) { try StoreRows.incident($0) }
        }
    }

    public func events(of number: Int) async throws -> [IncidentEvent] {
        try await reading("events") { try Self.events(of: number, in: $0) }
    }

    public func ping() async throws {
        try await reading("ping") { database in
            guard try database.queryFirst("SELECT 1", row: { $0.int(0) }) == 1 else {
                throw StoreError(.failure, "SELECT 1 did not return 1")
            }
        }
    }

    static func incident(_ number: Int, in database: SQLiteDatabase) throws -> Incident? {
        try database.queryFirst("\(StoreRows.selectIncidents) WHERE number = ?", [SQLiteValue(number)]) {
            try StoreRows.incident($0)
        }
    }

    static func events(of number: Int, in database: SQLiteDatabase) throws -> [IncidentEvent] {
        try database.query("\(StoreRows.selectEvents) WHERE incident = ? ORDER BY sequence", [SQLiteValue(number)]) {
            try StoreRows.event($0)
        }
    }

    /// The listing's query: newest first, at most `filter.limit`.
    static func incidentsQuery(_ filter: IncidentFilter) -> (String, [SQLiteValue]) {
        var conditions: [String] = []
        var bindings: [SQLiteValue] = []
        if !filter.states.isEmpty {
            let states = filter.states.map(\.rawValue).sorted()
            conditions.append("state IN (\(Array(repeating: "?", count: states.count).joined(separator: ", ")))")
            bindings += states.map { .text($0) }
        }
        if let category = filter.category {
            conditions.append("category = ?")
            bindings.append(.text(category))
        }
        if !filter.owners.isEmpty {
            // UserRef.isSamePerson: the same ID on the same platform. Rows store `slack:U0AVA`;
            // rows from before platforms were recorded store the bare ID. Never the name.
            var ids: [String] = []
            for owner in filter.owners {
                for id in [owner.storedID, owner.id] where !ids.contains(id) { ids.append(id) }
            }
            conditions.append("owner_id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))")
            bindings += ids.map { .text($0) }
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        bindings.append(SQLiteValue(filter.limit))
        return ("\(StoreRows.selectIncidents)\(whereClause) ORDER BY number DESC LIMIT ?", bindings)
    }

    static func storedRequest(_ requestID: String, in database: SQLiteDatabase) throws -> StoredRequest? {
        try database.queryFirst(StoreRows.selectStoredRequest, [.text(requestID)]) { try StoreRows.storedRequest($0) }
    }
}
