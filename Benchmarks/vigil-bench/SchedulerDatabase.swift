import Foundation
import Logging
import PostgresNIO
import VigilConfig
import VigilCore
import VigilServer
import VigilStore

/// What the scheduler benchmark uses of a store: units of work, the clock queue, and events.
typealias SchedulerStore = IncidentCommands & ClockQueue & IncidentQueries & OncallOverrideStore

/// A fresh, empty database the scheduler benchmark seeds and then measures, with the instrument
/// queries the store's ports have no use for (breach count, the bare index seek, size on disk).
/// ``open()`` may be called again after ``closeStore()``: the restart the benchmark times.
protocol SchedulerDatabase: Actor {
    /// Which database this is, for the tables: "SQLite", "PostgreSQL".
    nonisolated var kind: String { get }
    /// Opens the store, migrating it on first use, ready for commits.
    func open() async throws -> any SchedulerStore
    /// Closes the store ``open()`` returned.
    func closeStore() async
    /// How many `clock_breached` events the database holds.
    func breachCount() async throws -> Int
    /// `min(next_fire_at_ms)` over running clocks: the one-seek query, for comparison.
    func earliestRunningFire() async throws
    /// Bytes the database takes.
    func sizeBytes() async throws -> Int64
    /// Closes everything and deletes the database.
    func remove() async
}

/// An SQLite file in a temporary directory, as `vigil serve` opens it (WAL, `synchronous=NORMAL`).
actor SQLiteSchedulerDatabase: SchedulerDatabase {
    nonisolated let kind = "SQLite"
    private let directory: URL
    private let path: String
    private var store: SQLiteIncidentStore?

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-bench-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("vigil.sqlite").path
    }

    func open() throws -> any SchedulerStore {
        let opened = try SQLiteIncidentStore.open(path: path)
        store = opened
        return opened
    }

    func closeStore() async {
        await store?.close()
        store = nil
    }

    func breachCount() async throws -> Int {
        try await opened().read { database in
            try database.queryFirst("SELECT count(*) FROM events WHERE kind = 'clock_breached'") { $0.int(0) ?? 0 } ?? 0
        }
    }

    func earliestRunningFire() async throws {
        _ = try await opened().read { database in
            try database.queryFirst("SELECT min(next_fire_at_ms) FROM clocks WHERE state = 'running'") { $0.int64(0) }
        }
    }

    func sizeBytes() -> Int64 { sqliteBytes(path) }

    func remove() async {
        await closeStore()
        try? FileManager.default.removeItem(at: directory)
    }

    private func opened() throws -> SQLiteIncidentStore {
        guard let store else { throw BenchmarkError("the SQLite store is not open") }
        return store
    }
}

/// A database created for the run on the PostgreSQL server `--postgres` names, opened as
/// `vigil serve` opens one (``StoreOpener``: migrations under the advisory lock, a pooled
/// client), and dropped at the end. The instrument queries run on a connection of their own.
actor PostgresSchedulerDatabase: SchedulerDatabase {
    nonisolated let kind = "PostgreSQL"
    /// The server's `server_version`, for the method text.
    let serverVersion: String
    private let location: PostgresLocation
    private let maintenance: PostgresConnection
    private let instruments: PostgresConnection
    private var store: PostgresIncidentStore?
    private static let logger = Logger(label: "vigil-bench.postgres")

    /// Connects to the server at `url` (`postgres://user[:password]@host:port[/database]`; the
    /// database, `postgres` if none is named, is only where the new one is created from).
    init(url: String) async throws {
        let named = try Self.location(url)
        var location = named
        location.database = "vigil_bench_scheduler_\(getpid())"
        maintenance = try await PostgresConnection.connect(configuration: Self.connection(named), id: 1, logger: Self.logger)
        do {
            serverVersion = try await Self.single(maintenance, "SHOW server_version", as: String.self)
            _ = try await maintenance.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(location.database)"), logger: Self.logger)
            _ = try await maintenance.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(location.database)"), logger: Self.logger)
            instruments = try await PostgresConnection.connect(configuration: Self.connection(location), id: 2, logger: Self.logger)
        } catch {
            try? await maintenance.close()
            throw error
        }
        self.location = location
    }

    func open() async throws -> any SchedulerStore {
        let opened = try await PostgresIncidentStore.open(StoreOpener.configuration(location), logger: Self.logger)
        opened.startRunning()
        store = opened
        return opened
    }

    func closeStore() async {
        await store?.close()
        store = nil
    }

    func breachCount() async throws -> Int {
        try await Self.single(instruments, "SELECT count(*) FROM events WHERE kind = 'clock_breached'", as: Int.self)
    }

    func earliestRunningFire() async throws {
        _ = try await Self.single(instruments, "SELECT min(next_fire_at_ms) FROM clocks WHERE state = 'running'", as: Int64?.self)
    }

    func sizeBytes() async throws -> Int64 {
        try await Self.single(instruments, "SELECT pg_database_size(current_database())", as: Int64.self)
    }

    func remove() async {
        await closeStore()
        try? await instruments.close()
        // FORCE: a pool connection the store's shutdown has not yet closed must not keep it.
        _ = try? await maintenance.query(
            PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(location.database) WITH (FORCE)"), logger: Self.logger)
        try? await maintenance.close()
    }

    private static func location(_ url: String) throws -> PostgresLocation {
        // The server URL run.sh passes names no database; the maintenance one is always there.
        guard var components = URLComponents(string: url) else { throw BenchmarkError("--postgres: not a URL: \(url)") }
        if components.path.isEmpty || components.path == "/" { components.path = "/postgres" }
        do {
            var location = try PostgresLocation.parse(components.string ?? url)
            location.applicationName = "vigil-bench"
            return location
        } catch {
            throw BenchmarkError("--postgres: \(error)")
        }
    }

    /// A connection of the bench's own, made as the store makes its connections.
    private static func connection(_ location: PostgresLocation) throws -> PostgresConnection.Configuration {
        try StoreOpener.configuration(location).connectionConfiguration()
    }

    private static func single<T: PostgresDecodable>(_ connection: PostgresConnection, _ sql: String, as: T.Type) async throws -> T {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await row in rows { return try row.decode(T.self) }
        throw BenchmarkError("no row from \(sql)")
    }
}
