import Foundation
import VigilCore

/// The numbered schema changes of the SQLite store, applied in order at open.
///
/// A migration is never edited once released: change the schema by appending a new one. Each
/// runs in its own transaction together with its `schema_migrations` row, so a crash leaves the
/// database at the previous version, never half-way.
enum SQLiteMigrations {
    struct Migration {
        let version: Int
        let sql: String
    }

    /// Every migration, in version order.
    static let all: [Migration] = [
        Migration(version: 1, sql: version1),
        Migration(version: 2, sql: version2),
        Migration(version: 3, sql: version3),
        Migration(version: 4, sql: version4),
        Migration(version: 5, sql: outboxPriorityAndCoalescing),
        Migration(version: 6, sql: requestFingerprintsAndRetention),
        Migration(version: 7, sql: attachedPlaybooks),
        Migration(version: 8, sql: onceKeys),
        Migration(version: 9, sql: outboxIndexesForTheClaim),
        Migration(version: 10, sql: replyDestinations),
        Migration(version: 11, sql: oncallOverrides),
        Migration(version: 12, sql: chatPosts),
        Migration(version: 13, sql: incidentRooms),
        Migration(version: 14, sql: intakeKeys),
        Migration(version: 15, sql: legalHolds),
    ]

    /// The version a fully migrated database is at.
    static var latestVersion: Int { all.last?.version ?? 0 }

    /// Applies the migrations `database` has not had yet, up to `target` (tests build older
    /// databases with a lower one); returns the versions applied now.
    @discardableResult
    static func migrate(_ database: SQLiteDatabase, upTo target: Int = latestVersion) throws -> [Int] {
        try database.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                applied_at_ms INTEGER NOT NULL
            )
            """)
        let current = try appliedVersion(database)
        // A database written by a newer Vigil may have tables this one would misread.
        guard current <= latestVersion else {
            throw StoreError(
                .failure, "the database is at schema version \(current); this build knows up to \(latestVersion)")
        }
        var applied: [Int] = []
        for migration in all where migration.version > current && migration.version <= target {
            try database.transaction {
                try database.execute(migration.sql)
                try database.run(
                    "INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?, ?)",
                    [SQLiteValue(migration.version), .integer(StoreTime.milliseconds(.now))])
            }
            applied.append(migration.version)
        }
        return applied
    }

    /// The highest version applied, 0 for a new database.
    static func appliedVersion(_ database: SQLiteDatabase) throws -> Int {
        try database.queryFirst("SELECT coalesce(max(version), 0) FROM schema_migrations") { $0.int(0) ?? 0 } ?? 0
    }

    // MARK: - Versions

    /// Incidents (projection), their hash-chained events, the outbox, idempotency records and the
    /// incident-number counter. Times are UTC milliseconds since 1970.
    private static let version1 = """
        CREATE TABLE incidents (
            number               INTEGER PRIMARY KEY,
            title                TEXT    NOT NULL,
            severity             TEXT    NOT NULL,
            category             TEXT    NOT NULL,
            state                TEXT    NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
            level                INTEGER NOT NULL,
            owner_id             TEXT,
            owner_name           TEXT,
            reporter_id          TEXT    NOT NULL,
            reporter_name        TEXT    NOT NULL,
            platform             TEXT    NOT NULL,
            channel              TEXT    NOT NULL,
            opened_at_ms         INTEGER NOT NULL,
            known_at_ms          INTEGER NOT NULL,
            acknowledged_at_ms   INTEGER,
            acknowledged_by_id   TEXT,
            acknowledged_by_name TEXT,
            resolved_at_ms       INTEGER,
            resolved_by_id       TEXT,
            resolved_by_name     TEXT,
            resolution           TEXT,
            refs                 TEXT    NOT NULL DEFAULT '[]',
            playbook             TEXT,
            restricted           INTEGER NOT NULL DEFAULT 0,
            last_sequence        INTEGER NOT NULL,
            last_hash            TEXT    NOT NULL
        );
        CREATE INDEX incidents_by_state ON incidents (state, number);

        CREATE TABLE events (
            incident      INTEGER NOT NULL REFERENCES incidents (number),
            sequence      INTEGER NOT NULL CHECK (sequence > 0),
            kind          TEXT    NOT NULL,
            actor_id      TEXT    NOT NULL,
            actor_name    TEXT    NOT NULL,
            at_ms         INTEGER NOT NULL,
            payload       TEXT    NOT NULL DEFAULT '{}',
            previous_hash TEXT    NOT NULL,
            hash          TEXT    NOT NULL,
            PRIMARY KEY (incident, sequence)
        );

        CREATE TABLE outbox (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            channel            TEXT    NOT NULL,
            incident           INTEGER,
            message            TEXT    NOT NULL,
            created_at_ms      INTEGER NOT NULL,
            state              TEXT    NOT NULL DEFAULT 'pending'
                                       CHECK (state IN ('pending', 'delivered', 'dead')),
            attempts           INTEGER NOT NULL DEFAULT 0,
            next_attempt_at_ms INTEGER NOT NULL,
            last_error         TEXT,
            claimed_by         TEXT,
            lease_until_ms     INTEGER,
            delivered_at_ms    INTEGER,
            dead_at_ms         INTEGER
        );
        CREATE INDEX outbox_due ON outbox (state, next_attempt_at_ms);

        CREATE TABLE idempotency (
            request_id    TEXT    PRIMARY KEY,
            reply         TEXT    NOT NULL,
            created_at_ms INTEGER NOT NULL
        );

        CREATE TABLE counters (
            name  TEXT    PRIMARY KEY,
            value INTEGER NOT NULL
        );
        INSERT INTO counters (name, value) VALUES ('incident', 0);
        """

    /// Playbook step progress on the projection (a JSON array of step records, `[]` for every
    /// incident written before), and the clock rows the SLA scheduler reads.
    ///
    /// `kind` and `state` carry no CHECK: SQLite cannot change one without rebuilding the table,
    /// and the reader refuses values it does not know anyway. The `(state, due_at_ms)` index is
    /// the scheduler's "running clocks due by now" scan. Rows are only ever updated in place
    /// (`ON CONFLICT … DO UPDATE`), never deleted and re-inserted, so columns a later migration
    /// adds keep their values across a commit.
    private static let version2 = """
        ALTER TABLE incidents ADD COLUMN steps TEXT NOT NULL DEFAULT '[]';

        CREATE TABLE clocks (
            incident      INTEGER NOT NULL REFERENCES incidents (number),
            name          TEXT    NOT NULL,
            kind          TEXT    NOT NULL,
            started_at_ms INTEGER NOT NULL,
            due_at_ms     INTEGER NOT NULL,
            state         TEXT    NOT NULL,
            rule          TEXT,
            stopped_at_ms INTEGER,
            PRIMARY KEY (incident, name)
        );
        CREATE INDEX clocks_due ON clocks (state, due_at_ms);
        """

    /// What the SLA scheduler keeps on a clock row: when it next has work for the clock (NULL:
    /// none), how many warnings and breach alerts it has sent, and its lease on a row it claimed
    /// (`claimed_by`, `lease_until_ms`), as on outbox rows.
    ///
    /// Rows written before upgrade with `next_fire_at_ms` NULL, which the scheduler does not see
    /// until a commit writes them again. `(state, next_fire_at_ms)` is the claim's scan;
    /// `clocks_due` still serves the overdue listing.
    private static let version3 = """
        ALTER TABLE clocks ADD COLUMN next_fire_at_ms INTEGER;
        ALTER TABLE clocks ADD COLUMN warnings_sent   INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE clocks ADD COLUMN alerts_sent     INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE clocks ADD COLUMN claimed_by      TEXT;
        ALTER TABLE clocks ADD COLUMN lease_until_ms  INTEGER;
        CREATE INDEX clocks_next_fire ON clocks (state, next_fire_at_ms);
        """

    /// Reports: when an incident was last reopened (its response cycle's start); its severity and
    /// category copied onto its clock rows (kept in step by every commit), so deadlines are
    /// counted by class without a join; and the indexes that let a report read only its period.
    ///
    /// The report benchmark (1,000,000 incidents) shaped these: each index leads with the keys a
    /// report counts by (severity, category, clock kind, legal rule), so a report finds the keys
    /// with a few index seeks and then counts or reads one index range per key, never visiting
    /// the tables, never sorting for a GROUP BY, never joining clocks to incidents.
    private static let version4 = """
        ALTER TABLE incidents ADD COLUMN reopened_at_ms INTEGER;
        ALTER TABLE clocks ADD COLUMN severity TEXT;
        ALTER TABLE clocks ADD COLUMN category TEXT;
        UPDATE clocks SET
            severity = (SELECT severity FROM incidents WHERE number = clocks.incident),
            category = (SELECT category FROM incidents WHERE number = clocks.incident);
        CREATE INDEX incidents_by_opened ON incidents (opened_at_ms);
        CREATE INDEX incidents_opened_by_class ON incidents (severity, category, opened_at_ms);
        CREATE INDEX incidents_acknowledged_by_severity ON incidents (severity, acknowledged_at_ms, known_at_ms, reopened_at_ms)
            WHERE acknowledged_at_ms IS NOT NULL;
        CREATE INDEX incidents_by_resolved ON incidents (resolved_at_ms) WHERE resolved_at_ms IS NOT NULL;
        CREATE INDEX incidents_resolved_by_class
            ON incidents (severity, category, resolved_at_ms, known_at_ms, reopened_at_ms, acknowledged_at_ms)
            WHERE resolved_at_ms IS NOT NULL;
        CREATE INDEX incidents_unresolved ON incidents (opened_at_ms) WHERE resolved_at_ms IS NULL;
        CREATE INDEX events_by_kind ON events (kind, at_ms, incident);
        CREATE INDEX clocks_due_by_class ON clocks (severity, category, kind, state, due_at_ms);
        CREATE INDEX clocks_met_by_class ON clocks (severity, category, kind, stopped_at_ms) WHERE state = 'met';
        CREATE INDEX clocks_legal_due ON clocks (rule, state, due_at_ms) WHERE kind = 'legal';
        CREATE INDEX clocks_legal_met ON clocks (rule, stopped_at_ms) WHERE kind = 'legal' AND state = 'met';
        """

    /// Outbox priority and coalescing (issue 10, the channel budget): `priority` orders delivery
    /// (``OutboxPriority``'s raw value, higher first; rows written before are 0, "other");
    /// `coalesced_into` is the id of the summary post a row was folded into, on a row marked
    /// `delivered` by coalescing (so health counts and retention treat it as delivered). It
    /// carries no REFERENCES: pruning a summary must not be refused for the rows it stands for.
    /// `outbox_posted` counts a channel's posts in its budget window; `outbox_summaries` finds
    /// the window's summary (priority 40).
    private static let outboxPriorityAndCoalescing = """
        ALTER TABLE outbox ADD COLUMN priority       INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN coalesced_into INTEGER;
        CREATE INDEX outbox_posted ON outbox (channel, delivered_at_ms)
            WHERE state = 'delivered' AND coalesced_into IS NULL;
        CREATE INDEX outbox_summaries ON outbox (channel, created_at_ms) WHERE priority = 40;
        """

    /// Idempotency records keep who sent the request (`sender`, the platform user ID) and a
    /// SHA-256 of what it asked (`request_hash`), so a request ID reused for another request is
    /// refused; rows written before have NULL there, and a repeat of one is refused too. The two indexes
    /// let retention delete the oldest idempotency records and delivered posts a batch at a time
    /// without scanning either table.
    private static let requestFingerprintsAndRetention = """
        ALTER TABLE idempotency ADD COLUMN sender TEXT;
        ALTER TABLE idempotency ADD COLUMN request_hash TEXT;
        CREATE INDEX idempotency_by_created ON idempotency (created_at_ms);
        CREATE INDEX outbox_delivered ON outbox (delivered_at_ms) WHERE state = 'delivered';
        """

    /// An incident may run several playbooks (`playbook <id> add`), each attached at its own
    /// time: `playbooks` holds `[{"id":…,"attached_at_ms":…}]`, primary first. `playbook` keeps
    /// the primary's id for reports. An incident that had a playbook had it from its opening.
    private static let attachedPlaybooks = """
        ALTER TABLE incidents ADD COLUMN playbooks TEXT NOT NULL DEFAULT '[]';
        UPDATE incidents SET playbooks = json_array(json_object('id', playbook, 'attached_at_ms', opened_at_ms))
            WHERE playbook IS NOT NULL;
        """

    /// Work that must happen once but answers no chat request (a day's digest, a shift's
    /// hand-off) records its key here, not as a request ID with a made-up reply. The keys such
    /// work wrote into `idempotency` before move over, so nothing is posted twice across the
    /// upgrade.
    private static let onceKeys = """
        CREATE TABLE once_keys (
            key           TEXT PRIMARY KEY,
            created_at_ms INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO once_keys (key, created_at_ms)
            SELECT request_id, created_at_ms FROM idempotency
            WHERE request_id LIKE 'digest:%' OR request_id LIKE 'handoff:%';
        DELETE FROM idempotency WHERE request_id LIKE 'digest:%' OR request_id LIKE 'handoff:%';
        """

    /// Indexes that let every outbox claim, `nextOutboxDue` and `outboxHealth` read index ranges
    /// only, never the table and never a sort (a budgeted claim took 200 ms at a backlog of 50,000
    /// rows, most of it sorting the whole backlog). Every one is partial, and the queries repeat
    /// its WHERE literally so the planner takes it; `SQLiteOutboxPlanTests` holds each query to
    /// its plan. Each also carries the columns its own WHERE names (`state`, `priority`,
    /// `coalesced_into`): SQLite 3.40 counts a partial index as covering only when it holds every
    /// column the query names, those included, and would otherwise read each row's table page.
    ///
    /// - `outbox_pending_by_priority` is the claim's order, priority then age, with every column
    ///   the claim filters and reads: a claim walks it and stops at its limit. `outbox_due` only
    ///   found the due rows, which were then all read and sorted.
    /// - `outbox_pending_by_due` is `nextOutboxDue`'s walk in due order, and the pending count.
    /// - `outbox_leased` counts one channel's posts in flight (pending under a lease), one range
    ///   per channel, as `outbox_posted` counts its posts; led by the channel for that range.
    /// - `outbox_posted` is rebuilt with `priority <> 40` (summaries) in its WHERE: the budget
    ///   does not count summaries, and with that condition outside the index each post in the
    ///   window was read from the table (25 ms for 60,000 posts).
    /// - `outbox_dead` is the dead-letter count.
    private static let outboxIndexesForTheClaim = """
        DROP INDEX outbox_due;
        CREATE INDEX outbox_pending_by_priority
            ON outbox (priority DESC, id, next_attempt_at_ms, lease_until_ms, channel, incident, state) WHERE state = 'pending';
        CREATE INDEX outbox_pending_by_due ON outbox (next_attempt_at_ms, lease_until_ms, state) WHERE state = 'pending';
        CREATE INDEX outbox_leased ON outbox (channel, lease_until_ms, state, priority)
            WHERE state = 'pending' AND lease_until_ms IS NOT NULL AND priority <> 40;
        DROP INDEX outbox_posted;
        CREATE INDEX outbox_posted ON outbox (channel, delivered_at_ms, state, coalesced_into, priority)
            WHERE state = 'delivered' AND coalesced_into IS NULL AND priority <> 40;
        CREATE INDEX outbox_dead ON outbox (dead_at_ms, state) WHERE state = 'dead';
        """

    /// Outbox rows may be replies to one chat request (a deferred reply), sent to the address the
    /// platform gave for it: `destination` holds that address, its method, the rendered body and
    /// its expiry as JSON (``StoreJSON/encode(destination:)``); NULL for a channel post and, since
    /// the address carries a credential, once a row is delivered or dead-lettered. Reply rows have
    /// `channel = 'reply'` and priority 60, so no channel's budget counts or holds them; no index
    /// changes, since the claim's reads name neither column.
    private static let replyDestinations = """
        ALTER TABLE outbox ADD COLUMN destination TEXT;
        """

    /// On-call overrides made from chat (`oncall cover`), with their audit trail: who made,
    /// approved and cancelled each, and when. `schedules` holds the rotation names separated by
    /// spaces (names are single words). `request_id` makes a platform's retry find the override
    /// its first try made. Every command reads the ones not cancelled that end after now, so
    /// that is the index.
    static let oncallOverrides = """
        CREATE TABLE oncall_overrides (
            id               INTEGER PRIMARY KEY,
            schedules        TEXT    NOT NULL,
            who_id           TEXT    NOT NULL,
            who_name         TEXT    NOT NULL,
            covers_id        TEXT    NOT NULL,
            covers_name      TEXT    NOT NULL,
            from_ms          INTEGER NOT NULL,
            until_ms         INTEGER NOT NULL,
            created_by_id    TEXT    NOT NULL,
            created_by_name  TEXT    NOT NULL,
            created_at_ms    INTEGER NOT NULL,
            approved_by_id   TEXT,
            approved_by_name TEXT,
            approved_at_ms   INTEGER,
            cancelled_by_id  TEXT,
            cancelled_by_name TEXT,
            cancelled_at_ms  INTEGER,
            request_id       TEXT UNIQUE
        );
        CREATE INDEX oncall_overrides_live ON oncall_overrides (until_ms) WHERE cancelled_at_ms IS NULL;
        """

    /// The posts Vigil made through a platform's API, per incident (``VigilCore/ChatPost``): a
    /// follow-up threads under the incident's first post in a channel, and a redaction edits them
    /// all. One post is recorded once, whichever replica records it.
    private static let chatPosts = """
        CREATE TABLE chat_posts (
            id            INTEGER PRIMARY KEY,
            incident      INTEGER NOT NULL,
            platform      TEXT    NOT NULL,
            channel       TEXT    NOT NULL,
            post_id       TEXT    NOT NULL,
            created_at_ms INTEGER NOT NULL,
            UNIQUE (platform, channel, post_id)
        );
        CREATE INDEX chat_posts_by_incident ON chat_posts (incident, created_at_ms);
        """

    /// The channels Vigil made for incidents (config `incident_channels:`): the one a command
    /// typed in belongs to, the one a second request finds instead of making another, and each
    /// archived once, a delay after its incident is resolved.
    private static let incidentRooms = """
        CREATE TABLE incident_rooms (
            incident        INTEGER NOT NULL,
            platform        TEXT    NOT NULL,
            channel         TEXT    NOT NULL,
            name            TEXT    NOT NULL,
            visibility      TEXT    NOT NULL CHECK (visibility IN ('public', 'private')),
            archive_after_s INTEGER NOT NULL,
            created_at_ms   INTEGER NOT NULL,
            archived_at_ms  INTEGER,
            PRIMARY KEY (platform, channel)
        );
        CREATE INDEX incident_rooms_by_incident ON incident_rooms (incident);
        """

    /// Intake dedup keys (`zendesk:4521`, `webhook:<dedup_key>`) and the incident each names: a
    /// second delivery of one case joins it. The key is unique, so two deliveries racing to open
    /// one case cannot both succeed; the loser joins.
    private static let intakeKeys = """
        CREATE TABLE intake_keys (
            key           TEXT    PRIMARY KEY,
            incident      INTEGER NOT NULL,
            created_at_ms INTEGER NOT NULL,
            updated_at_ms INTEGER NOT NULL
        );
        """

    /// An incident's legal hold (`hold`, lifted by `release`): who placed it, when and why.
    /// Nothing the incident preserved is released while it stands; the ledger's entries are
    /// events (`preserved`), so only the hold needs columns.
    private static let legalHolds = """
        ALTER TABLE incidents ADD COLUMN hold_by_id TEXT;
        ALTER TABLE incidents ADD COLUMN hold_by_name TEXT;
        ALTER TABLE incidents ADD COLUMN hold_at_ms INTEGER;
        ALTER TABLE incidents ADD COLUMN hold_reason TEXT;
        """
}
