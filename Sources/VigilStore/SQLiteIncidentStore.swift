import Dispatch
import Foundation
import VigilCore

/// The SQLite implementation of ``IncidentStore``: one database file in WAL mode, one connection.
///
/// A `final class`, not an actor: an actor's methods would run SQLite's blocking calls (disk
/// reads, fsync, waiting on another process's lock) on Swift's cooperative pool, which has one
/// thread per core and stalls every other task while it waits. Here every SQLite call runs on a
/// private serial `DispatchQueue` and the caller is resumed through a checked continuation. The
/// connection is the only mutable state and only that queue touches it, which is what makes the
/// `@unchecked Sendable` sound.
///
/// Errors are ``StoreError``s: `.conflict` and `.duplicateRequest` from ``commit(_:)``, and
/// `.failure` for everything else (SQLite errors, rows that do not decode, a closed store).
public final class SQLiteIncidentStore: IncidentStore, @unchecked Sendable {
    /// How hard a commit tries to reach the disk.
    public enum Durability: Sendable, Equatable {
        /// `synchronous=NORMAL`: a commit survives a process crash; a power cut may lose the last ones.
        case normal
        /// `synchronous=FULL`: every commit is fsynced before it returns.
        case full
    }

    /// Holds the connection; read and written only on `queue`.
    private final class Connection: @unchecked Sendable {
        var database: SQLiteDatabase?
    }

    private let queue: DispatchQueue
    private let connection: Connection
    private let now: @Sendable () -> Date
    /// Checkpoints the WAL off the store's queue; `nil` for an in-memory database.
    private let checkpointer: WALCheckpointer?

    private init(queue: DispatchQueue, connection: Connection, checkpointer: WALCheckpointer?, now: @escaping @Sendable () -> Date) {
        self.queue = queue
        self.connection = connection
        self.checkpointer = checkpointer
        self.now = now
    }

    deinit {
        // Close on the queue, after any work still queued; never wait here, since the last
        // reference may be dropped on the queue itself.
        let connection = connection
        let checkpointer = checkpointer
        queue.async {
            checkpointer?.stop()
            connection.database = nil
        }
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// Synchronous: it blocks the caller for the open and any migrations, so call it once at
    /// start-up, before serving. Every later call hops to the store's own queue.
    ///
    /// - Parameters:
    ///   - busyTimeout: how long a write waits for another process holding the lock.
    ///   - now: the clock for rows that carry no time of their own (an outbox row caused by a
    ///     command without events); rows that do use the events' time.
    ///   - checkpointEvery: how often the WAL is copied back (see `WALCheckpointer`); tests that
    ///     drive checkpoints by hand pass a long one.
    public static func open(
        path: String, durability: Durability = .normal, busyTimeout: Duration = .seconds(5),
        now: @escaping @Sendable () -> Date = { Date() }, checkpointEvery: Duration = .milliseconds(500)
    ) throws -> SQLiteIncidentStore {
        let queue = DispatchQueue(label: "vigil.store.sqlite")
        let connection = Connection()
        var checkpointer: WALCheckpointer?
        try queue.sync {
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
                let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
                try database.setBusyTimeout(milliseconds: Int32(min(max(milliseconds, 0), Double(Int32.max))))
                try SQLiteMigrations.migrate(database)
                if mode == "wal" {
                    let interval = Int(min(checkpointEvery.components.seconds * 1000 + checkpointEvery.components.attoseconds / 1_000_000_000_000_000, 86_400_000))
                    checkpointer = try WALCheckpointer(
                        path: path, busyTimeoutMilliseconds: Int32(min(max(milliseconds, 0), Double(Int32.max))),
                        interval: .milliseconds(max(1, interval)))
                    try database.execute("PRAGMA wal_autocheckpoint = \(WALCheckpointer.autocheckpointPages)")
                    // A restarted log is cut back to this size, so one burst does not keep a
                    // large WAL file on disk for good.
                    try database.execute("PRAGMA journal_size_limit = \(WALCheckpointer.journalSizeLimit)")
                }
                connection.database = database
            }
        }
        return SQLiteIncidentStore(queue: queue, connection: connection, checkpointer: checkpointer, now: now)
    }

    /// Closes the connection once the work already queued is done; later calls fail with `.failure`.
    public func close() async {
        await withCheckedContinuation { continuation in
            queue.async { [connection, checkpointer] in
                checkpointer?.stop()
                connection.database = nil
                continuation.resume()
            }
        }
    }

    /// Runs `body` on the store's connection inside a read transaction that is always rolled
    /// back: one consistent snapshot, and nothing written survives. For tests and tools.
    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteDatabase) throws -> T) async throws -> T {
        try await perform("read") { database in try database.readTransaction { try body(database) } }
    }

    // MARK: - Running on the queue

    /// Runs `body` on the store's queue with the open connection, translating its errors.
    func perform<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (SQLiteDatabase) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [connection] in
                continuation.resume(
                    with: Result {
                        try Self.translatingErrors(operation) {
                            guard let database = connection.database else {
                                throw StoreError(.failure, "the store is closed")
                            }
                            return try body(database)
                        }
                    })
            }
        }
    }

    /// Turns whatever `body` throws into a ``StoreError``, naming the operation.
    private static func translatingErrors<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.failure, "\(operation): \(error)")
        }
    }

    // MARK: - Reads

    public func storedRequest(requestID: String) async throws -> StoredRequest? {
        try await perform("stored request") { try Self.storedRequest(requestID, in: $0) }
    }

    public func incident(_ number: Int) async throws -> Incident? {
        try await perform("incident") { database in
            try database.queryFirst("\(StoreRows.selectIncidents) WHERE number = ?", [SQLiteValue(number)]) {
                try StoreRows.incident($0)
            }
        }
    }

    public func incidents(matching filter: IncidentFilter) async throws -> [Incident] {
        guard filter.limit > 0 else { return [] }
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
        let sql = "\(StoreRows.selectIncidents)\(whereClause) ORDER BY number DESC LIMIT ?"
        bindings.append(SQLiteValue(filter.limit))
        return try await perform("incidents") { [bindings] database in
            try database.query(sql, bindings) { try StoreRows.incident($0) }
        }
    }

    public func events(of number: Int) async throws -> [IncidentEvent] {
        try await perform("events") { database in
            try database.query(
                "\(StoreRows.selectEvents) WHERE incident = ? ORDER BY sequence", [SQLiteValue(number)]
            ) { try StoreRows.event($0) }
        }
    }

    public func ping() async throws {
        try await perform("ping") { database in
            guard try database.queryFirst("SELECT 1", row: { $0.int(0) }) == 1 else {
                throw StoreError(.failure, "SELECT 1 did not return 1")
            }
        }
    }

    private static func storedRequest(_ requestID: String, in database: SQLiteDatabase) throws -> StoredRequest? {
        try database.queryFirst(
            "SELECT reply, sender, request_hash FROM idempotency WHERE request_id = ?", [.text(requestID)]
        ) {
            var row = RowReader($0, table: "idempotency", columns: ["reply", "sender", "request_hash"])
            let reply = try row.json(StoreJSON.decodeReply)
            let sender = try row.optionalText()
            let hash = try row.optionalText()
            // Both or neither: a record from before fingerprints has neither.
            guard let sender, let hash else { return StoredRequest(reply: reply, fingerprint: nil) }
            return StoredRequest(reply: reply, fingerprint: RequestFingerprint(sender: sender, hash: hash))
        }
    }

    // MARK: - Writes

    public func reserveIncidentNumber() async throws -> Int {
        try await perform("reserve incident number") { database in
            try database.transaction {
                // Never below an existing incident, so a counter restored from an older backup
                // still cannot hand out a number twice.
                let bump = """
                    UPDATE counters SET value = max(value, (SELECT coalesce(max(number), 0) FROM incidents)) + 1
                    WHERE name = 'incident'
                    """
                try database.run(bump)
                if database.changes == 0 {
                    try database.run("INSERT INTO counters (name, value) VALUES ('incident', 0)")
                    try database.run(bump)
                }
                let value = try database.queryFirst("SELECT value FROM counters WHERE name = 'incident'") { row in
                    var reader = RowReader(row, table: "counters", columns: ["value"])
                    return try reader.int()
                }
                guard let value else { throw StoreError(.failure, "the incident counter is missing") }
                return value
            }
        }
    }

    public func commit(_ work: UnitOfWork) async throws {
        // Outbox and idempotency rows take the time of the events that caused them, which is the
        // core's `now`; the store's clock only covers a command that changed no incident.
        let createdAt = StoreTime.milliseconds(work.events.last?.at ?? now())
        try await perform("commit") { database in
            try Self.validate(work)
            try database.transaction { try Self.write(work, createdAt: createdAt, in: database) }
        }
    }

    private static func write(_ work: UnitOfWork, createdAt: Int64, in database: SQLiteDatabase) throws {
        // A unit of work no request caused (a scheduler firing) has nothing to repeat.
        if let requestID = work.requestID, let stored = try storedRequest(requestID, in: database) {
            throw StoreError(.duplicateRequest, "request \(requestID) was already committed", stored: stored)
        }
        if let incident = work.incident {
            let current = try database.queryFirst(
                "SELECT last_sequence FROM incidents WHERE number = ?", [SQLiteValue(incident.number)]
            ) { row in
                var reader = RowReader(row, table: "incidents", columns: ["last_sequence"])
                return try reader.int()
            } ?? 0
            guard current == work.expectedSequence else {
                throw StoreError(
                    .conflict, "incident \(incident.number) is at sequence \(current), not \(work.expectedSequence)")
            }
            // The projection first: events reference it.
            try database.run(StoreRows.upsertIncident, StoreRows.bindings(incident))
            for event in work.events {
                do {
                    try database.run(StoreRows.insertEvent, StoreRows.bindings(event))
                } catch let error as SQLiteError where error.isUniquenessViolation {
                    throw StoreError(.conflict, "incident \(incident.number) already has event \(event.sequence)")
                }
            }
            try writeClocks(work.clocks, of: incident, in: database)
        }
        for item in work.outbox { try insertOutbox(item, createdAt: createdAt, in: database) }
        if let requestID = work.requestID {
            try database.run(
                "INSERT INTO idempotency (request_id, reply, created_at_ms, sender, request_hash) VALUES (?, ?, ?, ?, ?)",
                [
                    .text(requestID), .text(StoreJSON.encode(work.reply)), .integer(createdAt),
                    SQLiteValue(work.fingerprint?.sender), SQLiteValue(work.fingerprint?.hash),
                ])
        }
    }

    /// Refuses a unit of work whose parts disagree, which would write a broken chain.
    private static func validate(_ work: UnitOfWork) throws {
        try validateClocks(work)
        guard let incident = work.incident else {
            guard work.events.isEmpty else { throw StoreError(.failure, "events without an incident") }
            return
        }
        let number = incident.number
        guard work.expectedSequence >= 0,
            incident.lastSequence == work.expectedSequence + work.events.count
        else {
            throw StoreError(
                .failure,
                "incident \(number) is at sequence \(incident.lastSequence) after \(work.events.count) "
                    + "events from \(work.expectedSequence)")
        }
        for (offset, event) in work.events.enumerated() {
            guard event.incident == number, event.sequence == work.expectedSequence + offset + 1 else {
                throw StoreError(.failure, "event \(offset + 1) of the unit of work does not continue incident \(number)")
            }
        }
        if let last = work.events.last, last.hash != incident.lastHash {
            throw StoreError(.failure, "incident \(number)'s last hash is not its last event's hash")
        }
    }
}
