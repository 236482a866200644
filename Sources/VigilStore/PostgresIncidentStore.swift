import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import VigilCore

/// Where and how the PostgreSQL store connects.
public struct PostgresStoreConfiguration: Sendable {
    /// Whether the connection uses TLS (`sslmode`).
    public enum TLSMode: Sendable, Equatable {
        /// Never (`sslmode=disable`).
        case disable
        /// If the server offers it (`prefer`, libpq's default).
        case prefer
        /// Always, with the server's certificate verified against the system's roots
        /// (`require`, `verify-ca`, `verify-full`).
        case require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Shown in `pg_stat_activity`, so an operator can tell which replica holds what.
    public var applicationName: String
    /// The pool's bound: commands beyond it wait for a connection rather than open more.
    public var maxConnections: Int

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String, tls: TLSMode = .prefer,
        applicationName: String = "vigil", maxConnections: Int = 10
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.applicationName = applicationName
        self.maxConnections = maxConnections
    }

    /// The settings for one connection of its own (migrations, notifications, a tool's
    /// queries), as the pool's connections get them.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: try connectionTLS())
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        return configuration
    }

    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: try clientTLS())
        configuration.options.maximumConnections = max(1, maxConnections)
        configuration.options.minimumConnections = 1
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        return configuration
    }

    private func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    private func clientTLS() throws -> PostgresClient.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }
}

/// What changed in a store that several processes share, as another process committed it.
public enum StoreChange: Sendable, Equatable {
    /// New outbox rows are pending.
    case outbox
    /// Clock rows were written that may fire earlier than a scheduler planned.
    case clocks
}

/// A store shared by several processes tells each of them what the others committed, so their
/// services wake at once instead of at their next poll. A lost notice only delays work until that
/// poll; it never loses it, since the work is in rows.
public protocol StoreChangeFeed: Sendable {
    /// Calls `handler` (on any thread) for each change another process, or this one, committed.
    func onChange(_ handler: @escaping @Sendable (StoreChange) -> Void)
}

/// The PostgreSQL implementation of every store role (``IncidentStore``), for several Vigil
/// replicas on one database, with the SQLite store's semantics:
///
/// - **Units of work.** Each ``perform(_:)`` is one transaction. It locks its incident's row
///   (`SELECT … FOR UPDATE`), reads the request's idempotency record, decides, and writes. The
///   per-incident sequence is a compare-and-set under the row lock and the events' primary key,
///   so two replicas racing on one incident cannot both win; the loser's transaction fails and the
///   unit re-runs, after a backoff, on the fresh state (``StoreRetry``).
/// - **Leases.** Clock and outbox rows are claimed with `FOR UPDATE SKIP LOCKED` and a lease
///   (`claimed_by`, `lease_until_ms`): a replica that dies holding one loses it when it runs out.
/// - **Waking peers.** A commit that writes outbox rows or running clocks sends `NOTIFY`;
///   ``StoreChangeFeed`` hands them to this process's services.
///
/// The connection pool is a `PostgresClient`, which must run: the store is a `Service` whose
/// ``run()`` runs it and the `LISTEN` connection, in Vigil's ServiceGroup; tools and tests call
/// ``startRunning()`` and ``close()`` instead. Errors are ``StoreError``s whose messages carry the
/// server's message, never a query's bound values.
public final class PostgresIncidentStore: IncidentCommands, StoreChangeFeed, Service, Sendable {
    let client: PostgresClient
    let configuration: PostgresStoreConfiguration
    let logger: Logger
    let now: @Sendable () -> Date
    let retry: StoreRetry
    private let handlers = Mutex<[@Sendable (StoreChange) -> Void]>([])
    private let ownRun = Mutex<Task<Void, Never>?>(nil)

    /// The channel commits notify on; the payload names the ``StoreChange``.
    static let notifyChannel = "vigil_changes"

    private init(
        client: PostgresClient, configuration: PostgresStoreConfiguration, logger: Logger, now: @escaping @Sendable () -> Date,
        retry: StoreRetry
    ) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.retry = retry
    }

    /// Connects once (failing fast, with the server's reason, when the database cannot be
    /// reached), brings the schema up to date under the migration lock, and returns the store.
    /// Nothing is pooled until ``run()`` or ``startRunning()``.
    public static func open(
        _ configuration: PostgresStoreConfiguration, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "vigil.store"), retry: StoreRetry = StoreRetry()
    ) async throws -> PostgresIncidentStore {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try configuration.connectionConfiguration(), id: 0, logger: logger)
            do {
                try await PostgresMigrations.migrate(connection, logger: logger)
                try await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
            let client = PostgresClient(configuration: try configuration.clientConfiguration(), backgroundLogger: logger)
            return PostgresIncidentStore(client: client, configuration: configuration, logger: logger, now: now, retry: retry)
        } catch {
            throw Self.translated(error, "open")
        }
    }

    /// Runs the connection pool and the `LISTEN` connection until the task is cancelled or the
    /// service group shuts down.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.listen() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Runs the store in a task of its own, for tools and tests that have no ServiceGroup.
    public func startRunning() {
        ownRun.withLock { task in
            guard task == nil else { return }
            task = Task { try? await self.run() }
        }
    }

    /// Stops a store started with ``startRunning()``; later calls fail.
    public func close() async {
        let task = ownRun.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
    }

    public func onChange(_ handler: @escaping @Sendable (StoreChange) -> Void) {
        handlers.withLock { $0.append(handler) }
    }

    private func announce(_ change: StoreChange) {
        for handler in handlers.withLock({ $0 }) { handler(change) }
    }

    /// Listens on a connection of its own; reconnects after a failure, and then announces every
    /// kind of change, since notices sent while it was away are lost.
    private func listen() async {
        var delay = Duration.milliseconds(200)
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try configuration.connectionConfiguration(), id: 1, logger: logger)
                announce(.outbox)
                announce(.clocks)
                delay = .milliseconds(200)
                try await withTaskCancellationHandler {
                    try await connection.listen(on: Self.notifyChannel) { notifications in
                        for try await notification in notifications {
                            switch notification.payload {
                            case "outbox": announce(.outbox)
                            case "clocks": announce(.clocks)
                            default: break
                            }
                        }
                    }
                } onCancel: {
                    Task { try? await connection.close() }
                }
                try? await connection.close()
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning(
                    "database notifications lost; reconnecting (work waits for the next poll meanwhile)",
                    metadata: ["error": "\(Self.describe(error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(10))
        }
    }

    // MARK: - Transactions

    /// Runs `body` in a transaction on a pooled connection: committed if it returns `commit: true`,
    /// rolled back otherwise or if it throws. Does not retry.
    func transaction<T: Sendable>(
        readOnly: Bool = false, _ body: @Sendable (PostgresConnection) async throws -> (value: T, commit: Bool)
    ) async throws -> T {
        let logger = logger
        return try await client.withConnection { connection in
            try await connection.execute(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN", logger: logger)
            do {
                let result = try await body(connection)
                try await connection.execute(result.commit ? "COMMIT" : "ROLLBACK", logger: logger)
                return result.value
            } catch {
                try? await connection.execute("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// A write transaction, re-run with backoff while it fails in a way a re-run can cure.
    func writing<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> (value: T, commit: Bool)) async throws -> T {
        do {
            return try await retry.run(retryable: Self.isRetryable) {
                try await self.transaction(body)
            }
        } catch {
            throw Self.translated(error, operation)
        }
    }

    /// A read-only transaction on one snapshot.
    func reading<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await transaction(readOnly: true) { connection in (try await body(connection), false) }
        } catch {
            throw Self.translated(error, operation)
        }
    }

    static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.isRetryable }
        if let error = error as? StoreError { return error.kind == .conflict }
        return false
    }

    /// `error` as a ``StoreError``; what a unit's `decide` threw passes as it is.
    static func translated(_ error: any Error, _ operation: String) -> any Error {
        switch error {
        case is StoreError, is any UnitSignal: error
        default: StoreError(.failure, "\(operation): \(describe(error))")
        }
    }

    /// The cause of `error` in words, without a query's bound values.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if error.serverInfo != nil { return error.serverMessage }
            // A connection failure: its underlying error names the cause ("connection refused").
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
        return String(describing: error)
    }

}

// MARK: - Reads

extension PostgresIncidentStore: IncidentQueries {
    public func storedRequest(requestID: String) async throws -> StoredRequest? {
        let logger = logger
        return try await reading("stored request") { try await Self.storedRequest(requestID, on: $0, logger: logger) }
    }

    public func incident(_ number: Int) async throws -> Incident? {
        let logger = logger
        return try await reading("incident") { try await Self.incident(number, on: $0, logger: logger) }
    }

    public func incidentRecord(_ number: Int) async throws -> IncidentRecord? {
        let logger = logger
        return try await reading("incident record") { connection in
            guard let incident = try await Self.incident(number, on: connection, logger: logger) else { return nil }
            return IncidentRecord(
                incident: incident, events: try await Self.events(of: number, on: connection, logger: logger),
                clocks: try await Self.clocks(of: number, on: connection, logger: logger))
        }
    }

    public func incidents(matching filter: IncidentFilter) async throws -> [Incident] {
        guard filter.limit > 0 else { return [] }
        let (sql, bindings) = SQLiteIncidentStore.incidentsQuery(filter)
        let logger = logger
        return try await reading("incidents") { try await $0.rows(sql, bindings, logger: logger) { try StoreRows.incident($0) } }
    }

    public func events(of number: Int) async throws -> [IncidentEvent] {
        let logger = logger
        return try await reading("events") { try await Self.events(of: number, on: $0, logger: logger) }
    }

    public func clocks(of number: Int) async throws -> [ClockRow] {
        let logger = logger
        return try await reading("clocks") { try await Self.clocks(of: number, on: $0, logger: logger) }
    }

    public func ping() async throws {
        let logger = logger
        try await reading("ping") { connection in
            guard try await connection.rows("SELECT 1::bigint", logger: logger).first?.int64(0) == 1 else {
                throw StoreError(.failure, "SELECT 1 did not return 1")
            }
        }
    }

    static func incident(_ number: Int, on connection: PostgresConnection, lock: Bool = false, logger: Logger) async throws -> Incident? {
        try await connection.rows(
            "\(StoreRows.selectIncidents) WHERE number = ?\(lock ? " FOR UPDATE" : "")", [SQLiteValue(number)], logger: logger
        ) { try StoreRows.incident($0) }.first
    }

    static func events(of number: Int, on connection: PostgresConnection, logger: Logger) async throws -> [IncidentEvent] {
        try await connection.rows("\(StoreRows.selectEvents) WHERE incident = ? ORDER BY sequence", [SQLiteValue(number)], logger: logger) {
            try StoreRows.event($0)
        }
    }

    static func clocks(of number: Int, on connection: PostgresConnection, logger: Logger) async throws -> [ClockRow] {
        try await connection.rows(
            "\(StoreRows.selectClocks) WHERE incident = ? ORDER BY due_at_ms, name", [SQLiteValue(number)], logger: logger
        ) { try StoreRows.clock($0) }
    }

    static func storedRequest(_ requestID: String, on connection: PostgresConnection, logger: Logger) async throws -> StoredRequest? {
        try await connection.rows(StoreRows.selectStoredRequest, [.text(requestID)], logger: logger) { try StoreRows.storedRequest($0) }.first
    }
}
