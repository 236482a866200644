import Foundation
import Testing
import VigilCore
import VigilTestSupport
@testable import VigilStore

// MARK: - One contract suite, both adapters

/// The store adapters every contract test runs against: a behaviour cannot exist in one and not
/// the other. PostgreSQL runs on a throw-away server this test process starts
/// (``PostgresTestServer``), one fresh database per test.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// Runs `body` with a fresh store of `kind` (its clock stopped at `now`), closed afterwards.
func withStore(_ kind: StoreKind, now: Date = t0, _ body: (any IncidentStore) async throws -> Void) async throws {
    switch kind {
    case .sqlite:
        try await withStore(now: now) { store, _ in try await body(store) }
    case .postgres:
        let store = try await openPostgresStore(now: now)
        do {
            try await body(store)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}

/// A running PostgreSQL store on a new database of the shared test server.
func openPostgresStore(now: Date = t0, retry: StoreRetry = StoreRetry()) async throws -> PostgresIncidentStore {
    let configuration = try await newPostgresDatabase()
    let store = try await PostgresIncidentStore.open(configuration, now: { now }, retry: retry)
    store.startRunning()
    return store
}

/// A new, empty database on the shared test server, as the store's configuration. Starting the
/// server and `createdb` block, so they run on a dispatch thread, never the cooperative pool.
func newPostgresDatabase() async throws -> PostgresStoreConfiguration {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(
                with: Result {
                    let server = try PostgresTestServer.shared
                    let name = "vigil_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
                    _ = try server.createDatabase(name)
                    // A small pool: tests run side by side, each with stores of its own, on
                    // one server.
                    return PostgresStoreConfiguration(
                        host: server.host, port: server.port, username: server.user, database: name, tls: .disable,
                        maxConnections: 3)
                })
        }
    }
}

// MARK: - Looking inside either store

/// Runs `sql` (portable SQL with `?` placeholders) on a snapshot of `store` and returns its rows.
func inspect(_ store: any IncidentStore, _ sql: String, _ values: [SQLiteValue] = []) async throws -> [[SQLiteValue]] {
    switch store {
    case let sqlite as SQLiteIncidentStore:
        return try await sqlite.read { database in
            try database.query(sql, values) { row in (0..<row.count).map { row.value($0) } }
        }
    case let postgres as PostgresIncidentStore:
        let logger = postgres.logger
        return try await postgres.reading("inspect") { try await $0.rows(sql, values, logger: logger).map(\.values) }
    default:
        throw StoreError(.failure, "no inspection for \(type(of: store))")
    }
}

/// Runs `sql` on `store` outside any unit of work, as an operator's shell would.
func tamper(_ store: any IncidentStore, _ sql: String, _ values: [SQLiteValue] = []) async throws {
    switch store {
    case let sqlite as SQLiteIncidentStore:
        try await sqlite.perform("tamper") { database in try database.run(sql, values) }
    case let postgres as PostgresIncidentStore:
        let logger = postgres.logger
        try await postgres.writing("tamper") { connection in
            try await connection.execute(sql, values, logger: logger)
            return ((), true)
        }
    default:
        throw StoreError(.failure, "no tampering with \(type(of: store))")
    }
}

/// The first column of the first row of `sql`, as an integer.
func integer(_ store: any IncidentStore, _ sql: String, _ values: [SQLiteValue] = []) async throws -> Int64? {
    guard case let .integer(value)? = try await inspect(store, sql, values).first?.first else { return nil }
    return value
}

func rowCounts(_ store: any IncidentStore) async throws -> RowCounts {
    let row = try await inspect(
        store,
        """
        SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM events),
               (SELECT count(*) FROM outbox), (SELECT count(*) FROM idempotency), (SELECT count(*) FROM clocks)
        """
    ).first ?? []
    func count(_ index: Int) -> Int {
        guard index < row.count, case let .integer(value) = row[index] else { return -1 }
        return Int(value)
    }
    return RowCounts(incidents: count(0), events: count(1), outbox: count(2), idempotency: count(3), clocks: count(4))
}

/// Every clock row's lease, keyed `incident/name`.
func leases(_ store: any IncidentStore) async throws -> [String: Lease] {
    let rows = try await inspect(store, "SELECT incident, name, claimed_by, lease_until_ms FROM clocks")
    return Dictionary(
        uniqueKeysWithValues: rows.map { row in
            var incident: Int64 = -1, name = "?", worker: String?, until: Date?
            if case let .integer(value) = row[0] { incident = value }
            if case let .text(value) = row[1] { name = value }
            if case let .text(value) = row[2] { worker = value }
            if case let .integer(value) = row[3] { until = date(milliseconds: value) }
            return ("\(incident)/\(name)", Lease(worker: worker, until: until))
        })
}

/// Commits `work` and returns the kind of ``StoreError`` it failed with, or `nil` on success.
func outcome(of work: UnitOfWork, in store: any IncidentStore) async throws -> StoreError.Kind? {
    do {
        try await store.commit(work)
        return nil
    } catch let error as StoreError {
        return error.kind
    }
}

/// Runs `body` with a way to open stores of `kind` on one fresh database, as many times as a
/// test needs (a restart, a second replica); the test closes each store it opens.
func withDatabase(_ kind: StoreKind, _ body: (_ open: @Sendable () async throws -> any IncidentStore) async throws -> Void) async throws {
    switch kind {
    case .sqlite:
        try await withDatabasePath { path in
            try await body { try SQLiteIncidentStore.open(path: path, durability: .full) }
        }
    case .postgres:
        let configuration = try await newPostgresDatabase()
        try await body {
            let store = try await PostgresIncidentStore.open(configuration)
            store.startRunning()
            return store
        }
    }
}

/// Closes a store of either kind.
func close(_ store: any IncidentStore) async {
    switch store {
    case let sqlite as SQLiteIncidentStore: await sqlite.close()
    case let postgres as PostgresIncidentStore: await postgres.close()
    default: break
    }
}

/// Reserves the next incident number in a unit of its own, on either kind of store.
func reserveIncidentNumber(_ store: any IncidentStore) async throws -> Int {
    switch store {
    case let sqlite as SQLiteIncidentStore: try await sqlite.reserveIncidentNumber()
    case let postgres as PostgresIncidentStore: try await postgres.reserveIncidentNumber()
    default: throw StoreError(.failure, "no incident numbers in \(type(of: store))")
    }
}

/// Like ``withDatabase(_:_:)``, but each store `open` opens has its clock stopped at the time
/// it is given, so rows a store stamps with its own clock (idempotency records) carry that time.
func withTimedStores(
    _ kind: StoreKind, _ body: (_ open: @Sendable (_ now: Date) async throws -> any IncidentStore) async throws -> Void
) async throws {
    switch kind {
    case .sqlite:
        try await withDatabasePath { path in
            try await body { now in try SQLiteIncidentStore.open(path: path, now: { now }) }
        }
    case .postgres:
        let configuration = try await newPostgresDatabase()
        try await body { now in
            let store = try await PostgresIncidentStore.open(configuration, now: { now })
            store.startRunning()
            return store
        }
    }
}
