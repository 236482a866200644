import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilStore

/// Opens the store a ``DatabaseLocation`` names: an SQLite file, or a PostgreSQL database
/// (migrated under its advisory lock, so replicas starting together migrate once).
public enum StoreOpener {
    /// A store of either kind, with everything `serve`, `report` and `db copy` use.
    public typealias Store = any IncidentStore & StoreCopyEndpoint

    /// Opens `location`. A PostgreSQL store is returned not yet running: `serve` runs it in the
    /// service group; tools call ``startIfNeeded(_:)``.
    public static func open(
        _ location: DatabaseLocation, durability: Durability = .normal, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "vigil.store"), hooks: StoreHooks = StoreHooks()
    ) async throws -> Store {
        switch location {
        case let .sqlite(path):
            return try SQLiteIncidentStore.open(path: path, durability: durability == .full ? .full : .normal, now: now, hooks: hooks)
        case let .postgres(postgres):
            return try await PostgresIncidentStore.open(configuration(postgres), now: now, logger: logger)
        }
    }

    /// The store's connection settings for `location`.
    public static func configuration(_ location: PostgresLocation) -> PostgresStoreConfiguration {
        let tls: PostgresStoreConfiguration.TLSMode =
            switch location.tls {
            case .disable: .disable
            case .prefer: .prefer
            case .require: .require
            }
        return PostgresStoreConfiguration(
            host: location.host, port: location.port, username: location.user, password: location.password, database: location.database,
            tls: tls, applicationName: location.applicationName ?? "vigil")
    }

    /// Starts a PostgreSQL store's pool for a tool that has no service group.
    public static func startIfNeeded(_ store: any IncidentStore) {
        (store as? PostgresIncidentStore)?.startRunning()
    }

    /// Closes a store of either kind.
    public static func close(_ store: any IncidentStore) async {
        switch store {
        case let sqlite as SQLiteIncidentStore: await sqlite.close()
        case let postgres as PostgresIncidentStore: await postgres.close()
        default: break
        }
    }
}
