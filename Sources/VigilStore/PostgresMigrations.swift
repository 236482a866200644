import Foundation
import Logging
import PostgresNIO
import VigilCore

/// The numbered schema changes of the PostgreSQL store, applied in order at start.
///
/// Replicas started together migrate once: the migrating connection holds a session advisory lock
/// (``lockKey``) while it reads the version and applies what is missing, so a second replica waits
/// for the first and then finds nothing left to do. Each migration runs in its own transaction
/// with its `schema_migrations` row. A migration is never edited once released: append a new one.
///
/// The schema mirrors the SQLite store's (version 1 its version 9, version 3 its version 10, version 4 its version 11, version 6 its version 13), so
/// the two adapters share one row codec: times are `BIGINT` UTC milliseconds, JSON is `TEXT`,
/// booleans are 0 or 1. Indexes are
/// written for PostgreSQL's planner, which reads a partial index only when the query's WHERE
/// implies the index's, and needs no covering-column tricks to avoid a sort.
enum PostgresMigrations {
    struct Migration {
        let version: Int
        let sql: String
    }

    /// Every migration, in version order.
    static let all: [Migration] = [
        Migration(version: 1, sql: version1),
        Migration(version: 2, sql: reportRanges),
        Migration(version: 3, sql: replyDestinations),
        Migration(version: 4, sql: oncallOverrides),
        Migration(version: 5, sql: chatPosts),
        Migration(version: 6, sql: incidentRooms),
        Migration(version: 7, sql: intakeKeys),
        Migration(version: 8, sql: legalHolds),
    ]

    /// The version a fully migrated database is at.
    static var latestVersion: Int { all.last?.version ?? 0 }

    /// The advisory lock key migrations run under (any constant unique to Vigil: "vigil" in ASCII).
    static let lockKey: Int64 = 0x7669_6769_6C00

    /// Applies what `connection`'s database has not had yet, under the advisory lock; returns the
    /// versions applied now.
    @discardableResult
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.execute("SELECT pg_advisory_lock(?)", [.integer(lockKey)], logger: logger)
        do {
            let applied = try await migrateLocked(connection, logger: logger)
            try await connection.execute("SELECT pg_advisory_unlock(?)", [.integer(lockKey)], logger: logger)
            return applied
        } catch {
            // The lock is the session's: closing the connection drops it too, but say so now.
            try? await connection.execute("SELECT pg_advisory_unlock(?)", [.integer(lockKey)], logger: logger)
            throw error
        }
    }

    private static func migrateLocked(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version       INTEGER PRIMARY KEY,
                applied_at_ms BIGINT  NOT NULL
            )
            """, logger: logger)
        let current = try await appliedVersion(connection, logger: logger)
        // A database written by a newer Vigil may have tables this one would misread.
        guard current <= latestVersion else {
            throw StoreError(.failure, "the database is at schema version \(current); this build knows up to \(latestVersion)")
        }
        var applied: [Int] = []
        for migration in all where migration.version > current {
            try await connection.execute("BEGIN", logger: logger)
            do {
                // One statement at a time: postgres-nio sends every query as a prepared
                // statement, which holds one command.
                for statement in statements(migration.sql) { try await connection.execute(statement, logger: logger) }
                try await connection.execute(
                    "INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?, ?)",
                    [SQLiteValue(migration.version), .integer(StoreTime.milliseconds(.now))], logger: logger)
                try await connection.execute("COMMIT", logger: logger)
            } catch {
                try? await connection.execute("ROLLBACK", logger: logger)
                throw error
            }
            logger.info("database migrated", metadata: ["version": "\(migration.version)"])
            applied.append(migration.version)
        }
        return applied
    }

    /// `sql`'s statements: migrations end each with `;` at the end of a line, and hold no `;`
    /// at a line's end inside a string.
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { !$0.isEmpty }
    }

    /// The highest version applied, 0 for a new database.
    static func appliedVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.rows("SELECT coalesce(max(version), 0)::bigint FROM schema_migrations", logger: logger)
        return Int(rows.first?.int64(0) ?? 0)
    }

    // MARK: - Versions

    /// The whole schema as SQLite's version 9 has it. `outbox.id` is an identity column (ids are
    /// never reused, as with SQLite's AUTOINCREMENT); `db copy` sets its sequence past the copied rows.
    private static let version1 = """
        CREATE TABLE incidents (
            number               BIGINT  PRIMARY KEY,
            title                TEXT    NOT NULL,
            severity             TEXT    NOT NULL,
            category             TEXT    NOT NULL,
            state                TEXT    NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
            level                BIGINT  NOT NULL,
            owner_id             TEXT,
            owner_name           TEXT,
            reporter_id          TEXT    NOT NULL,
            reporter_name        TEXT    NOT NULL,
            platform             TEXT    NOT NULL,
            channel              TEXT    NOT NULL,
            opened_at_ms         BIGINT  NOT NULL,
            known_at_ms          BIGINT  NOT NULL,
            acknowledged_at_ms   BIGINT,
            acknowledged_by_id   TEXT,
            acknowledged_by_name TEXT,
            resolved_at_ms       BIGINT,
            resolved_by_id       TEXT,
            resolved_by_name     TEXT,
            resolution           TEXT,
            refs                 TEXT    NOT NULL DEFAULT '[]',
            playbook             TEXT,
            steps                TEXT    NOT NULL DEFAULT '[]',
            restricted           BIGINT  NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
            last_sequence        BIGINT  NOT NULL,
            last_hash            TEXT    NOT NULL,
            reopened_at_ms       BIGINT,
            playbooks            TEXT    NOT NULL DEFAULT '[]'
        );
        CREATE INDEX incidents_by_state ON incidents (state, number);
        CREATE INDEX incidents_by_owner ON incidents (owner_id, number);
        CREATE INDEX incidents_by_opened ON incidents (opened_at_ms);
        CREATE INDEX incidents_opened_by_class ON incidents (severity, category, opened_at_ms);
        CREATE INDEX incidents_by_resolved ON incidents (resolved_at_ms) WHERE resolved_at_ms IS NOT NULL;
        CREATE INDEX incidents_unresolved ON incidents (opened_at_ms) WHERE resolved_at_ms IS NULL;

        CREATE TABLE events (
            incident      BIGINT NOT NULL REFERENCES incidents (number),
            sequence      BIGINT NOT NULL CHECK (sequence > 0),
            kind          TEXT   NOT NULL,
            actor_id      TEXT   NOT NULL,
            actor_name    TEXT   NOT NULL,
            at_ms         BIGINT NOT NULL,
            payload       TEXT   NOT NULL DEFAULT '{}',
            previous_hash TEXT   NOT NULL,
            hash          TEXT   NOT NULL,
            PRIMARY KEY (incident, sequence)
        );
        CREATE INDEX events_by_kind ON events (kind, at_ms, incident);

        CREATE TABLE clocks (
            incident        BIGINT NOT NULL REFERENCES incidents (number),
            name            TEXT   NOT NULL,
            kind            TEXT   NOT NULL,
            started_at_ms   BIGINT NOT NULL,
            due_at_ms       BIGINT NOT NULL,
            state           TEXT   NOT NULL,
            rule            TEXT,
            stopped_at_ms   BIGINT,
            next_fire_at_ms BIGINT,
            warnings_sent   BIGINT NOT NULL DEFAULT 0,
            alerts_sent     BIGINT NOT NULL DEFAULT 0,
            claimed_by      TEXT,
            lease_until_ms  BIGINT,
            severity        TEXT,
            category        TEXT,
            PRIMARY KEY (incident, name)
        );
        CREATE INDEX clocks_due ON clocks (state, due_at_ms);
        CREATE INDEX clocks_next_fire ON clocks (next_fire_at_ms) WHERE state = 'running';
        CREATE INDEX clocks_due_by_class ON clocks (severity, category, kind, state, due_at_ms);
        CREATE INDEX clocks_met_by_class ON clocks (severity, category, kind, stopped_at_ms) WHERE state = 'met';
        CREATE INDEX clocks_legal_due ON clocks (rule, state, due_at_ms) WHERE kind = 'legal';
        CREATE INDEX clocks_legal_met ON clocks (rule, stopped_at_ms) WHERE kind = 'legal' AND state = 'met';

        CREATE TABLE outbox (
            id                 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            channel            TEXT   NOT NULL,
            incident           BIGINT,
            message            TEXT   NOT NULL,
            created_at_ms      BIGINT NOT NULL,
            state              TEXT   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
            attempts           BIGINT NOT NULL DEFAULT 0,
            next_attempt_at_ms BIGINT NOT NULL,
            last_error         TEXT,
            claimed_by         TEXT,
            lease_until_ms     BIGINT,
            delivered_at_ms    BIGINT,
            dead_at_ms         BIGINT,
            priority           BIGINT NOT NULL DEFAULT 0,
            coalesced_into     BIGINT
        );
        CREATE INDEX outbox_pending_by_priority ON outbox (priority DESC, id) WHERE state = 'pending';
        CREATE INDEX outbox_pending_by_due ON outbox (next_attempt_at_ms) WHERE state = 'pending';
        CREATE INDEX outbox_leased ON outbox (channel, lease_until_ms)
            WHERE state = 'pending' AND lease_until_ms IS NOT NULL AND priority <> 40;
        CREATE INDEX outbox_posted ON outbox (channel, delivered_at_ms)
            WHERE state = 'delivered' AND coalesced_into IS NULL AND priority <> 40;
        CREATE INDEX outbox_summaries ON outbox (channel, created_at_ms) WHERE priority = 40;
        CREATE INDEX outbox_delivered ON outbox (delivered_at_ms) WHERE state = 'delivered';
        CREATE INDEX outbox_dead ON outbox (dead_at_ms) WHERE state = 'dead';

        CREATE TABLE idempotency (
            request_id    TEXT   PRIMARY KEY,
            reply         TEXT   NOT NULL,
            created_at_ms BIGINT NOT NULL,
            sender        TEXT,
            request_hash  TEXT
        );
        CREATE INDEX idempotency_by_created ON idempotency (created_at_ms);

        CREATE TABLE once_keys (
            key           TEXT   PRIMARY KEY,
            created_at_ms BIGINT NOT NULL
        );

        CREATE TABLE counters (
            name  TEXT   PRIMARY KEY,
            value BIGINT NOT NULL
        );
        INSERT INTO counters (name, value) VALUES ('incident', 0);
        """

    /// Reports group each period column's index range (not one range per class, as SQLite's
    /// planner needed): version 1 had no range for two of those columns, so a report read every
    /// acknowledged incident and every met clock. The acknowledgements in the period
    /// (`acknowledged_at_ms >= ?` implies the index's `IS NOT NULL`); the deadlines met in it,
    /// by when they stopped.
    private static let reportRanges = """
        CREATE INDEX incidents_by_acknowledged ON incidents (acknowledged_at_ms) WHERE acknowledged_at_ms IS NOT NULL;
        CREATE INDEX clocks_met_by_stopped ON clocks (stopped_at_ms) WHERE state = 'met';
        """

    /// Reply rows' destinations, as SQLite's migration 10 (``SQLiteMigrations``): the address, method,
    /// body and expiry of a deferred reply as JSON text, NULL for channel posts and for finished rows.
    private static let replyDestinations = """
        ALTER TABLE outbox ADD COLUMN destination TEXT;
        """

    /// On-call overrides made from chat, as SQLite's migration 11 (``SQLiteMigrations``).
    private static let oncallOverrides = """
        CREATE TABLE oncall_overrides (
            id                BIGSERIAL PRIMARY KEY,
            schedules         TEXT   NOT NULL,
            who_id            TEXT   NOT NULL,
            who_name          TEXT   NOT NULL,
            covers_id         TEXT   NOT NULL,
            covers_name       TEXT   NOT NULL,
            from_ms           BIGINT NOT NULL,
            until_ms          BIGINT NOT NULL,
            created_by_id     TEXT   NOT NULL,
            created_by_name   TEXT   NOT NULL,
            created_at_ms     BIGINT NOT NULL,
            approved_by_id    TEXT,
            approved_by_name  TEXT,
            approved_at_ms    BIGINT,
            cancelled_by_id   TEXT,
            cancelled_by_name TEXT,
            cancelled_at_ms   BIGINT,
            request_id        TEXT UNIQUE
        );
        CREATE INDEX oncall_overrides_live ON oncall_overrides (until_ms) WHERE cancelled_at_ms IS NULL;
        """

    /// The posts Vigil made through a platform's API, as SQLite's migration 12.
    private static let chatPosts = """
        CREATE TABLE chat_posts (
            id            BIGSERIAL PRIMARY KEY,
            incident      BIGINT    NOT NULL,
            platform      TEXT      NOT NULL,
            channel       TEXT      NOT NULL,
            post_id       TEXT      NOT NULL,
            created_at_ms BIGINT    NOT NULL,
            UNIQUE (platform, channel, post_id)
        );
        CREATE INDEX chat_posts_by_incident ON chat_posts (incident, created_at_ms);
        """

    /// The channels Vigil made for incidents, as SQLite's migration 13.
    private static let incidentRooms = """
        CREATE TABLE incident_rooms (
            incident        BIGINT NOT NULL,
            platform        TEXT   NOT NULL,
            channel         TEXT   NOT NULL,
            name            TEXT   NOT NULL,
            visibility      TEXT   NOT NULL CHECK (visibility IN ('public', 'private')),
            archive_after_s BIGINT NOT NULL,
            created_at_ms   BIGINT NOT NULL,
            archived_at_ms  BIGINT,
            PRIMARY KEY (platform, channel)
        );
        CREATE INDEX incident_rooms_by_incident ON incident_rooms (incident);
        """

    /// Intake dedup keys, as SQLite's migration 14.
    private static let intakeKeys = """
        CREATE TABLE intake_keys (
            key           TEXT   PRIMARY KEY,
            incident      BIGINT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            updated_at_ms BIGINT NOT NULL
        );
        """

    /// An incident's legal hold, as SQLite's migration 15.
    private static let legalHolds = """
        ALTER TABLE incidents ADD COLUMN hold_by_id TEXT;
        ALTER TABLE incidents ADD COLUMN hold_by_name TEXT;
        ALTER TABLE incidents ADD COLUMN hold_at_ms BIGINT;
        ALTER TABLE incidents ADD COLUMN hold_reason TEXT;
        """
}
