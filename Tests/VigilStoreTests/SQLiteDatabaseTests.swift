import Foundation
import Testing
import VigilCore

@testable import VigilStore

/// SQLite's primary result codes, as documented (the C constants are not imported here).
private let SQLITE_ERROR: Int32 = 1
private let SQLITE_CONSTRAINT: Int32 = 19
private let SQLITE_MISUSE: Int32 = 21
private let SQLITE_RANGE: Int32 = 25

@Suite("SQLiteDatabase")
struct SQLiteDatabaseTests {
    static let values: [SQLiteValue] = [
        .integer(0), .integer(.max), .integer(.min), .real(3.25), .real(-0.1),
        .text(""), .text("plain"), .text("ünïcödé 🚨"), .text("nul\u{0}inside"),
        .blob([]), .blob([0, 1, 2, 255]), .null,
    ]

    @Test("a bound value reads back with its type", arguments: values)
    func valueRoundTrip(_ value: SQLiteValue) throws {
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (v)")
        try database.run("INSERT INTO t (v) VALUES (?)", [value])
        let read = try database.queryFirst("SELECT v FROM t") { $0.value(0) }
        #expect(read == value)
    }

    @Test("typed accessors return nil for NULL and for another storage class")
    func typedAccessors() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        let row = try database.queryFirst("SELECT 7, 'seven', NULL, 2.5, x'00ff'") { row in
            (row.int(0), row.text(0), row.text(1), row.int(1), row.int(2), row.isNull(2), row.double(3), row.blob(4))
        }
        let (int, textOfInt, text, intOfText, intOfNull, isNull, double, blob) = try #require(row)
        #expect(int == 7 && textOfInt == nil && text == "seven" && intOfText == nil && intOfNull == nil)
        #expect(isNull && double == 2.5 && blob == [0, 255])
    }

    @Test("a failure carries the code, SQLite's message and the statement's first words, never the values")
    func errors() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
        try database.run("INSERT INTO t (k) VALUES (?)", [.text("secret-value")])

        let duplicate = try #require(throws: SQLiteError.self) {
            try database.run("INSERT INTO t (k) VALUES (?)", [.text("secret-value")])
        }
        #expect(duplicate.isUniquenessViolation)
        #expect(duplicate.primaryCode == SQLITE_CONSTRAINT)
        #expect(duplicate.statement == "INSERT INTO t")
        #expect(!duplicate.description.contains("secret-value"))

        let syntax = try #require(throws: SQLiteError.self) { try database.run("SELEKT 1") }
        #expect(syntax.code == SQLITE_ERROR)
        #expect(syntax.message.contains("syntax error"))

        let arity = try #require(throws: SQLiteError.self) { try database.run("SELECT ?", []) }
        #expect(arity.code == SQLITE_RANGE)

        // The cached statement is still usable after a failure.
        try database.run("INSERT INTO t (k) VALUES (?)", [.text("another")])
        #expect(try database.query("SELECT k FROM t ORDER BY k") { $0.text(0) } == ["another", "secret-value"])
    }

    @Test("a row closure may run the query it is called from")
    func reentrantQuery() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2), (3)")
        let sql = "SELECT v FROM t WHERE v >= ? ORDER BY v"
        let pairs = try database.query(sql, [.integer(2)]) { row in
            (row.int(0), try database.query(sql, [.integer(3)]) { $0.int(0) })
        }
        #expect(pairs.map(\.0) == [2, 3])
        #expect(pairs.map(\.1) == [[3], [3]])
    }

    @Test("a transaction commits when its body returns and rolls back when it throws")
    func transactions() throws {
        struct Abort: Error {}
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (v INTEGER)")

        let value = try database.transaction {
            try database.run("INSERT INTO t (v) VALUES (1)")
            return 42
        }
        #expect(value == 42)
        #expect(throws: Abort.self) {
            try database.transaction {
                try database.run("INSERT INTO t (v) VALUES (2)")
                throw Abort()
            }
        }
        #expect(!database.isInTransaction)
        #expect(try database.query("SELECT v FROM t") { $0.int(0) } == [1])

        // Nothing written inside a read transaction survives it.
        try database.readTransaction { try database.run("INSERT INTO t (v) VALUES (3)") }
        #expect(try database.query("SELECT v FROM t") { $0.int(0) } == [1])

        // Inside an open transaction (a unit of a group commit) a transaction is a savepoint: its
        // failure rolls back its own writes alone, and what it wrote commits with the outer one.
        try database.transaction {
            try database.run("INSERT INTO t (v) VALUES (4)")
            #expect(throws: Abort.self) {
                try database.transaction {
                    try database.run("INSERT INTO t (v) VALUES (5)")
                    throw Abort()
                }
            }
            try database.transaction { try database.run("INSERT INTO t (v) VALUES (6)") }
        }
        #expect(!database.isInTransaction)
        #expect(try database.query("SELECT v FROM t ORDER BY v") { $0.int(0) } == [1, 4, 6])
    }
}

@Suite("SQLite migrations")
struct SQLiteMigrationTests {
    @Test("migrations apply once, and a reopened database is left as it is")
    func applyOnce() async throws {
        try await withDatabasePath { path in
            for _ in 1...2 {
                let store = try SQLiteIncidentStore.open(path: path)
                let (versions, schema, mode) = try await store.read { database in
                    (
                        try database.query("SELECT version FROM schema_migrations") { $0.int(0) },
                        try database.query(
                            """
                            SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'
                            ORDER BY name
                            """
                        ) { $0.text(0) },
                        try database.queryFirst("PRAGMA journal_mode") { $0.text(0) }
                    )
                }
                #expect(versions == SQLiteMigrations.all.map(\.version))
                #expect(
                    schema == [
                        "chat_posts", "chat_posts_by_incident", "clocks", "clocks_due", "clocks_due_by_class", "clocks_legal_due",
                        "clocks_legal_met", "clocks_met_by_class",
                        "clocks_next_fire", "counters", "events", "events_by_kind", "idempotency", "idempotency_by_created",
                        "incident_rooms", "incident_rooms_by_incident", "incidents",
                        "incidents_acknowledged_by_severity", "incidents_by_opened", "incidents_by_resolved", "incidents_by_state",
                        "incidents_opened_by_class", "incidents_resolved_by_class", "incidents_unresolved", "intake_keys", "oncall_overrides",
                        "oncall_overrides_live", "once_keys", "outbox",
                        "outbox_dead", "outbox_delivered", "outbox_leased", "outbox_pending_by_due", "outbox_pending_by_priority",
                        "outbox_posted", "outbox_summaries", "schema_migrations",
                    ])
                #expect(mode == "wal")
                try await store.ping()
                await store.close()
            }
        }
    }

    @Test(
        "durability sets synchronous",
        arguments: [
            (SQLiteIncidentStore.Durability.normal, 1), (.full, 2),
        ])
    func durability(_ durability: SQLiteIncidentStore.Durability, synchronous: Int) async throws {
        try await withDatabasePath { path in
            let store = try SQLiteIncidentStore.open(path: path, durability: durability)
            // The writer's connection: readers only read, and need neither setting.
            let (level, foreignKeys) = try await store.perform("pragmas") { database in
                (
                    try database.queryFirst("PRAGMA synchronous") { $0.int(0) },
                    try database.queryFirst("PRAGMA foreign_keys") { $0.int(0) }
                )
            }
            #expect(level == synchronous)
            #expect(foreignKeys == 1)
            await store.close()
        }
    }

    @Test("a database from a newer schema is refused")
    func newerSchema() async throws {
        try await withDatabasePath { path in
            let first = try SQLiteIncidentStore.open(path: path)
            await first.close()
            try tamper(path, "INSERT INTO schema_migrations (version, applied_at_ms) VALUES (99, 0)")
            let error = try #require(throws: StoreError.self) { try SQLiteIncidentStore.open(path: path) }
            #expect(error.kind == .failure)
            #expect(error.message.contains("99"))
        }
    }

    @Test("a file that is not a database fails to open with a store error")
    func notADatabase() async throws {
        try await withDatabasePath { path in
            try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: StoreError.self) { try SQLiteIncidentStore.open(path: path) }
            #expect(error.kind == .failure)
        }
    }
}

@Suite("WAL checkpoints off the store's queue")
struct WALCheckpointTests {
    @Test("small commits leave checkpoints to the checkpointer, which copies the WAL into the database file")
    func checkpointsInTheBackground() async throws {
        try await withStore { store, path in
            let size = { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0 }
            #expect(try await store.read { try $0.queryFirst("PRAGMA wal_autocheckpoint") { $0.int(0) } } == 1000)
            let before = size()
            for number in 1...300 { try await store.commit(openWork(number)) }
            // The commits are in the WAL; the database file grows only when a checkpoint copies them.
            let giveUp = ContinuousClock.now + .seconds(10)
            while size() <= before, ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(20)) }
            #expect(size() > before)
            #expect(try await store.incidents(matching: IncidentFilter(limit: 500)).count == 300)
        }
    }

    @Test("a WAL that keeps being written to is restarted and cut back, not left to grow")
    func restartsALogThatNeverRests() async throws {
        try await withDatabasePath { path in
            // No background checkpoint in this test: the commits alone must bound the log.
            let store = try SQLiteIncidentStore.open(path: path, checkpointEvery: .seconds(3600))
            let wal = { (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.int64Value ?? 0 }
            var largest: Int64 = 0
            for number in 1...1500 {
                try await store.commit(openWork(number))
                largest = max(largest, wal())
            }
            // 1,500 commits write tens of MiB of log; the file never holds much more than 4 MiB.
            #expect(largest <= 8 * 1024 * 1024, "the WAL reached \(largest) bytes")
            #expect(try await store.incidents(matching: IncidentFilter(limit: 2000)).count == 1500)
            await store.close()
        }
    }
}
