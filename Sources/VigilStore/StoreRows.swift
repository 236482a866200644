import Foundation
import VigilCore

/// How incidents, events, clocks and outbox rows map to columns: one column list per table, the values
/// to bind in that order, and a strict reader for the same order.
enum StoreRows {
    // MARK: - Incidents

    static let incidentColumns = [
        "number", "title", "severity", "category", "state", "level", "owner_id", "owner_name",
        "reporter_id", "reporter_name", "platform", "channel", "opened_at_ms", "known_at_ms",
        "acknowledged_at_ms", "acknowledged_by_id", "acknowledged_by_name", "resolved_at_ms",
        "resolved_by_id", "resolved_by_name", "resolution", "refs", "playbook", "steps", "restricted",
        "last_sequence", "last_hash", "reopened_at_ms", "playbooks", "hold_by_id", "hold_by_name", "hold_at_ms", "hold_reason",
    ]

    static let selectIncidents = "SELECT \(incidentColumns.joined(separator: ", ")) FROM incidents"

    /// Inserts an incident, or replaces every column but the number when it exists.
    static let upsertIncident = """
        INSERT INTO incidents (\(incidentColumns.joined(separator: ", ")))
        VALUES (\(Array(repeating: "?", count: incidentColumns.count).joined(separator: ", ")))
        ON CONFLICT (number) DO UPDATE SET
        \(incidentColumns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
        """

    static func bindings(_ incident: Incident) -> [SQLiteValue] {
        [
            SQLiteValue(incident.number), .text(incident.title), .text(incident.severity),
            .text(incident.category), .text(incident.state.rawValue), SQLiteValue(incident.level),
            SQLiteValue(incident.owner?.storedID), SQLiteValue(incident.owner?.name),
            .text(incident.reporter.storedID), .text(incident.reporter.name), .text(incident.platform),
            .text(incident.channel), milliseconds(incident.openedAt), milliseconds(incident.knownAt),
            milliseconds(incident.acknowledgedAt), SQLiteValue(incident.acknowledgedBy?.storedID),
            SQLiteValue(incident.acknowledgedBy?.name), milliseconds(incident.resolvedAt),
            SQLiteValue(incident.resolvedBy?.storedID), SQLiteValue(incident.resolvedBy?.name),
            SQLiteValue(incident.resolution), .text(StoreJSON.encode(refs: incident.refs)),
            SQLiteValue(incident.playbook), .text(StoreJSON.encode(steps: incident.steps)),
            SQLiteValue(incident.restricted),
            SQLiteValue(incident.lastSequence), .text(incident.lastHash), milliseconds(incident.reopenedAt),
            .text(StoreJSON.encode(playbooks: incident.playbooks)), SQLiteValue(incident.legalHold?.by.storedID),
            SQLiteValue(incident.legalHold?.by.name), milliseconds(incident.legalHold?.at), SQLiteValue(incident.legalHold?.reason),
        ]
    }

    static func incident<Row: StoreRow>(_ row: Row) throws -> Incident {
        var r = RowReader(row, table: "incidents", columns: incidentColumns)
        let number = try r.int()
        r.context = "incident \(number)"
        var incident = Incident(
            number: number, title: try r.text(), severity: try r.text(), category: try r.text(),
            state: try r.enumeration(IncidentState.self), level: try r.int(), owner: try r.optionalUser(),
            reporter: try r.user(), platform: try r.text(), channel: try r.text(), openedAt: try r.date(),
            knownAt: try r.date(), acknowledgedAt: try r.optionalDate(), acknowledgedBy: try r.optionalUser(),
            resolvedAt: try r.optionalDate(), resolvedBy: try r.optionalUser(), resolution: try r.optionalText(),
            refs: try r.json(StoreJSON.decodeRefs), playbook: try r.optionalText(),
            steps: try r.json(StoreJSON.decodeSteps), restricted: try r.bool(), lastSequence: try r.int(),
            lastHash: try r.text(), reopenedAt: try r.optionalDate(), playbooks: try r.json(StoreJSON.decodePlaybooks))
        let holder = try r.optionalUser(), heldAt = try r.optionalDate(), reason = try r.optionalText()
        if let holder, let heldAt { incident.legalHold = LegalHold(by: holder, at: heldAt, reason: reason ?? "") }
        return incident
    }

    // MARK: - Events

    static let eventColumns = [
        "incident", "sequence", "kind", "actor_id", "actor_name", "at_ms", "payload", "previous_hash", "hash",
    ]

    static let selectEvents = "SELECT \(eventColumns.joined(separator: ", ")) FROM events"

    static let insertEvent = """
        INSERT INTO events (\(eventColumns.joined(separator: ", ")))
        VALUES (\(Array(repeating: "?", count: eventColumns.count).joined(separator: ", ")))
        """

    static func bindings(_ event: IncidentEvent) -> [SQLiteValue] {
        [
            SQLiteValue(event.incident), SQLiteValue(event.sequence), .text(event.kind.rawValue),
            .text(event.actor.storedID), .text(event.actor.name), milliseconds(event.at),
            .text(StoreJSON.encode(payload: event.payload)), .text(event.previousHash), .text(event.hash),
        ]
    }

    static func event<Row: StoreRow>(_ row: Row) throws -> IncidentEvent {
        var r = RowReader(row, table: "events", columns: eventColumns)
        let incident = try r.int()
        let sequence = try r.int()
        r.context = "incident \(incident) event \(sequence)"
        return IncidentEvent(
            incident: incident, sequence: sequence, kind: try r.enumeration(EventKind.self), actor: try r.user(),
            at: try r.date(), payload: try r.json(StoreJSON.decodePayload), previousHash: try r.text(),
            hash: try r.text())
    }

    // MARK: - Clocks

    /// The columns a ``ClockRow`` holds; the lease columns (`claimed_by`, `lease_until_ms`) are
    /// the scheduler's bookkeeping and never part of the row.
    static let clockColumns = [
        "incident", "name", "kind", "started_at_ms", "due_at_ms", "state", "rule", "stopped_at_ms",
        "next_fire_at_ms", "warnings_sent", "alerts_sent",
    ]

    static let selectClocks = "SELECT \(clockColumns.joined(separator: ", ")) FROM clocks"

    /// Inserts a clock, or updates every column but the key in place when (incident, name) exists:
    /// never `INSERT OR REPLACE`, which deletes the row and would reset columns it does not name.
    /// Either way the row ends up under no lease: the writer has decided its fate. Binds the
    /// clock's ``bindings(_:)`` followed by its incident's severity and category.
    static let upsertClock = """
        INSERT INTO clocks (\(clockColumns.joined(separator: ", ")), severity, category)
        VALUES (\(Array(repeating: "?", count: clockColumns.count + 2).joined(separator: ", ")))
        ON CONFLICT (incident, name) DO UPDATE SET
        \(clockColumns.dropFirst(2).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")),
        severity = excluded.severity, category = excluded.category,
        claimed_by = NULL, lease_until_ms = NULL
        """

    static func bindings(_ clock: ClockRow) -> [SQLiteValue] {
        [
            SQLiteValue(clock.incident), .text(clock.name), .text(clock.kind.rawValue), milliseconds(clock.startedAt),
            milliseconds(clock.dueAt), .text(clock.state.rawValue), SQLiteValue(clock.rule),
            milliseconds(clock.stoppedAt), milliseconds(clock.nextFireAt), SQLiteValue(clock.warningsSent),
            SQLiteValue(clock.alertsSent),
        ]
    }

    /// The clock in `row`'s columns from `start` on (after a joined incident's, in a listing).
    static func clock<Row: StoreRow>(_ row: Row, startingAt start: Int = 0) throws -> ClockRow {
        var r = RowReader(row, table: "clocks", columns: clockColumns, startingAt: start)
        let incident = try r.int()
        r.context = "incident \(incident) clock"
        return ClockRow(
            incident: incident, name: try r.text(), kind: try r.enumeration(ClockKind.self), startedAt: try r.date(),
            dueAt: try r.date(), state: try r.enumeration(ClockState.self), rule: try r.optionalText(),
            stoppedAt: try r.optionalDate(), nextFireAt: try r.optionalDate(), warningsSent: try r.count(),
            alertsSent: try r.count())
    }

    /// Running clocks the scheduler has work for at `?` (now) and not under a live lease at `?`
    /// (now), earliest first, up to `?`; each with its rowid last (after the row's columns), to
    /// lease the row even if it does not decode.
    static let selectClaimableClocks = """
        SELECT \(clockColumns.joined(separator: ", ")), rowid FROM clocks
        WHERE state = 'running' AND next_fire_at_ms <= ?
          AND (lease_until_ms IS NULL OR lease_until_ms <= ?)
        ORDER BY next_fire_at_ms, incident, name LIMIT ?
        """

    // MARK: - Idempotency

    static let selectStoredRequest = "SELECT reply, sender, request_hash FROM idempotency WHERE request_id = ?"

    /// A row of ``selectStoredRequest``: the first reply, and its fingerprint (a record from
    /// before fingerprints has neither sender nor hash).
    static func storedRequest<Row: StoreRow>(_ row: Row) throws -> StoredRequest {
        var reader = RowReader(row, table: "idempotency", columns: ["reply", "sender", "request_hash"])
        let reply = try reader.json(StoreJSON.decodeReply)
        let sender = try reader.optionalText()
        let hash = try reader.optionalText()
        guard let sender, let hash else { return StoredRequest(reply: reply, fingerprint: nil) }
        return StoredRequest(reply: reply, fingerprint: RequestFingerprint(sender: sender, hash: hash))
    }

    // MARK: - Outbox

    /// `destination` last: a reply row's (``StoreJSON/encode(destination:)``), NULL for a channel post.
    static let outboxColumns = ["id", "channel", "incident", "message", "created_at_ms", "attempts", "priority", "destination"]

    /// The `channel` of a reply row: no ``ChannelRole``, so no channel's budget or pacing counts it.
    static let replyChannel = "reply"
    /// The `channel` of a direct page (its `destination` says where), outside every budget too.
    static let pageChannel = "page"
    /// The `channel` of a redaction row: earlier posts edited down, outside every budget.
    static let redactionChannel = "redaction"
    /// The `channel` of a room row: an incident's own channel made and filled, outside every budget.
    static let roomChannel = "room"

    /// The columns a new row sets, with ``outboxBindings(_:createdAt:)``: it is pending, due at once.
    static let insertOutbox = """
        INSERT INTO outbox (channel, incident, message, created_at_ms, next_attempt_at_ms, priority, destination)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    static func outboxBindings(_ item: OutboxItem, createdAt: Int64) -> [SQLiteValue] {
        let channel: String, destination: SQLiteValue
        switch item.target {
        case let .channel(role): (channel, destination) = (role.rawValue, .null)
        case let .reply(reply): (channel, destination) = (replyChannel, .text(StoreJSON.encode(destination: reply)))
        case let .page(page): (channel, destination) = (pageChannel, .text(StoreJSON.encode(page: page)))
        case .redaction: (channel, destination) = (redactionChannel, .null)
        case let .room(room): (channel, destination) = (roomChannel, .text(StoreJSON.encode(room: room)))
        }
        return [
            .text(channel), SQLiteValue(item.incident), .text(StoreJSON.encode(item.message)), .integer(createdAt),
            .integer(createdAt), SQLiteValue(item.priority.rawValue), destination,
        ]
    }

    static func outboxRow<Row: StoreRow>(_ row: Row) throws -> OutboxRow {
        var r = RowReader(row, table: "outbox", columns: outboxColumns)
        let id = try r.int64()
        r.context = "outbox row \(id)"
        let channel = try r.text()
        let incident = try r.optionalInt()
        let message = try r.json(StoreJSON.decodeMessage)
        let createdAt = try r.date(), attempts = try r.int()
        // A priority only a newer build knows is delivered as an ordinary post.
        let priority = OutboxPriority(rawValue: try r.int()) ?? .other
        let target: OutboxTarget
        if channel == redactionChannel {
            target = .redaction
        } else if channel == roomChannel, let room = try r.optionalJSON(StoreJSON.decodeRoom) {
            target = .room(room)
        } else if channel == pageChannel, let page = try r.optionalJSON(StoreJSON.decodePage) {
            target = .page(page)
        } else if channel == replyChannel, let destination = try r.optionalJSON(StoreJSON.decodeDestination) {
            target = .reply(destination)
        } else if let role = ChannelRole(rawValue: channel) {
            target = .channel(role)
        } else {
            // A reply row whose destination is gone (it was finished), or a channel no build knows.
            throw RowDecodingError("outbox row \(id): outbox.channel holds an unknown value and there is no destination")
        }
        return OutboxRow(
            id: id, item: OutboxItem(target: target, incident: incident, message: message, priority: priority), createdAt: createdAt,
            attempts: attempts)
    }

    static func milliseconds(_ date: Date?) -> SQLiteValue {
        SQLiteValue(date.map(StoreTime.milliseconds))
    }
}

// MARK: - Reading columns in order

/// A result row either adapter hands the shared row decoders: SQLite's own, or a PostgreSQL row
/// read into ``SQLiteValue``s (``PostgresValues``). Integers are 64-bit and booleans 0 or 1 in
/// both, so one decoder reads both stores' rows the same way.
protocol StoreRow {
    func isNull(_ index: Int) -> Bool
    func int64(_ index: Int) -> Int64?
    func text(_ index: Int) -> String?
}

extension SQLiteRow: StoreRow {}

/// Reads a row's columns one after another, failing with the column's name when a value is NULL
/// where it may not be, has the wrong storage class, or does not decode.
struct RowReader<Row: StoreRow> {
    private let row: Row
    private let table: String
    private let columns: [String]
    private var index: Int
    /// The result column `columns[0]` is in (a join puts a second table's columns after the first's).
    private let start: Int
    /// Which row this is, once known (`incident 42`), for error messages.
    var context: String?

    init(_ row: Row, table: String, columns: [String], startingAt start: Int = 0) {
        self.row = row
        self.table = table
        self.columns = columns
        self.start = start
        self.index = start
    }

    /// The column just read.
    private var last: Int { index - 1 }

    private mutating func next<T>(_ read: (Row, Int) -> T?, _ expected: String) throws -> T? {
        let column = index
        index += 1
        if row.isNull(column) { return nil }
        guard let value = read(row, column) else { throw failure(column, "is not \(expected)") }
        return value
    }

    private func failure(_ column: Int, _ problem: String) -> RowDecodingError {
        let name = column - start < columns.count ? columns[column - start] : "column \(column)"
        return RowDecodingError("\(context.map { "\($0): " } ?? "")\(table).\(name) \(problem)")
    }

    private func required<T>(_ value: T?) throws -> T {
        guard let value else { throw failure(last, "is NULL") }
        return value
    }

    mutating func optionalInt64() throws -> Int64? { try next({ $0.int64($1) }, "an integer") }
    mutating func int64() throws -> Int64 { try required(optionalInt64()) }
    mutating func optionalInt() throws -> Int? { try optionalInt64().map { Int($0) } }
    mutating func int() throws -> Int { Int(try int64()) }

    /// An integer that counts something, so never negative.
    mutating func count() throws -> Int {
        let value = try int()
        guard value >= 0 else { throw failure(last, "is negative") }
        return value
    }
    mutating func optionalText() throws -> String? { try next({ $0.text($1) }, "text") }
    mutating func text() throws -> String { try required(optionalText()) }
    mutating func optionalDate() throws -> Date? { try optionalInt64().map(StoreTime.date) }
    mutating func date() throws -> Date { StoreTime.date(try int64()) }

    mutating func bool() throws -> Bool {
        switch try int64() {
        case 0: return false
        case 1: return true
        default: throw failure(last, "is not 0 or 1")
        }
    }

    mutating func enumeration<E: RawRepresentable>(_: E.Type) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: try text()) else { throw failure(last, "holds an unknown value") }
        return value
    }

    /// A JSON column that may be NULL.
    mutating func optionalJSON<T>(_ decode: (String) throws -> T) throws -> T? {
        guard let text = try optionalText() else { return nil }
        do {
            return try decode(text)
        } catch {
            throw failure(last, "does not decode: \(error)")
        }
    }

    mutating func json<T>(_ decode: (String) throws -> T) throws -> T {
        let text = try text()
        do {
            return try decode(text)
        } catch {
            throw failure(last, "does not decode: \(error)")
        }
    }

    /// An ID column followed by a name column: both set, or both NULL.
    mutating func optionalUser() throws -> UserRef? {
        let id = try optionalText()
        let name = try optionalText()
        switch (id, name) {
        // `slack:U0AVA` since platforms are recorded; a bare ID (older rows) has no platform.
        case let (id?, name?): return UserRef(storedID: id, name: name)
        case (nil, nil): return nil
        default: throw failure(last - 1, "and the name beside it are not both set or both NULL")
        }
    }

    mutating func user() throws -> UserRef {
        guard let user = try optionalUser() else { throw failure(last - 1, "is NULL") }
        return user
    }
}
