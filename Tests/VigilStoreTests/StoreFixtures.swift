import Foundation
import VigilCore

@testable import VigilStore

// MARK: - A fresh database per test

/// Runs `body` with the path of a database file in a new temporary directory, removed afterwards.
func withDatabasePath(_ body: (String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("vigil-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory.appendingPathComponent("vigil.sqlite").path)
}

/// Runs `body` with a store opened on a fresh database (its clock stopped at `now`), closed afterwards.
func withStore(now: Date = t0, _ body: (SQLiteIncidentStore, String) async throws -> Void) async throws {
    try await withDatabasePath { path in
        let store = try SQLiteIncidentStore.open(path: path, now: { now })
        do {
            try await body(store, path)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}

/// Changes the database behind the store's back, on a connection of its own (as another process
/// or a careless operator would).
func tamper(_ path: String, _ sql: String) throws {
    let database = try SQLiteDatabase(path: path)
    try database.setBusyTimeout(milliseconds: 5000)
    try database.execute(sql)
}

/// How many rows each table holds.
struct RowCounts: Sendable, Equatable, CustomStringConvertible {
    var incidents = 0
    var events = 0
    var outbox = 0
    var idempotency = 0
    var clocks = 0

    var description: String {
        "\(incidents) incidents, \(events) events, \(outbox) outbox, \(idempotency) requests, \(clocks) clocks"
    }
}

// MARK: - Model values

let ava = UserRef(id: "U0AVA", name: "ava")
let ben = UserRef(id: "U0BEN", name: "ben")
/// A user known only by the name typed after `@`.
let carolByName = UserRef(id: "carol", name: "carol")

/// A time with whole milliseconds, as the store keeps them.
let t0 = Date(timeIntervalSince1970: 1_790_000_000.123)

func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

func message(_ text: String) -> Message { Message(lines: [[.text(text)]]) }

/// A reply using every kind of span, over two lines.
let richReply = Reply(
    .inChannel,
    Message(lines: [
        [.bold("INC-1"), .text(" opened by "), .mention(ava), .text(" · "), .code("sev1")],
        [.text("Quotes \" and \\ and ünïcödé and emoji 🚨 survive")],
        [],
    ]))

/// A newly opened incident and its `opened` event.
func opened(
    _ number: Int, category: String = "fraud", severity: String = "sev2", reporter: UserRef = ava, at time: Date = t0
) -> (Incident, [IncidentEvent]) {
    var incident = Incident(
        number: number, title: "Card testing spike \(number)", severity: severity, category: category,
        reporter: reporter, platform: "slack", channel: "trust-safety", openedAt: time, knownAt: time)
    let event = EventChain.append(
        .opened, by: reporter, at: time, payload: ["severity": severity, "category": category], to: &incident)
    return (incident, [event])
}

/// The unit of work that opens incident `number`, announcing it in the incidents channel.
func openWork(
    _ number: Int, requestID: String? = nil, category: String = "fraud", reporter: UserRef = ava, at time: Date = t0
) -> UnitOfWork {
    let (incident, events) = opened(number, category: category, reporter: reporter, at: time)
    return UnitOfWork(
        requestID: requestID ?? "open-\(number)", reply: Reply(.inChannel, message("Opened INC-\(number)")),
        incident: incident, expectedSequence: 0, events: events,
        outbox: [OutboxItem(channel: .incidents, incident: number, message: message("INC-\(number) opened"))])
}

/// The unit of work that acknowledges `incident` (as last read) on behalf of `user`.
func ackWork(_ incident: Incident, by user: UserRef, requestID: String, at time: Date = at(60)) -> UnitOfWork {
    var next = incident
    next.state = .acknowledged
    next.acknowledgedAt = time
    next.acknowledgedBy = user
    next.owner = user
    let event = EventChain.append(.acknowledged, by: user, at: time, to: &next)
    return UnitOfWork(
        requestID: requestID, reply: Reply(.inChannel, message("\(user.name) acknowledged")), incident: next,
        expectedSequence: incident.lastSequence, events: [event],
        outbox: [OutboxItem(channel: .incidents, incident: incident.number, message: message("ack"))])
}

/// A running clock of incident `incident`, started at `t0` and due `due` seconds later, with the
/// scheduler's next work for it `fire` seconds after `t0` (none when `nil`).
func clock(
    _ incident: Int, _ name: String, _ kind: ClockKind = .step, due: Double, rule: String? = nil,
    fire: Double? = nil, state: ClockState = .running
) -> ClockRow {
    ClockRow(
        incident: incident, name: name, kind: kind, startedAt: t0, dueAt: at(due), state: state, rule: rule,
        nextFireAt: fire.map(at))
}

/// Who holds a clock row's lease, and until when.
struct Lease: Sendable, Equatable, CustomStringConvertible {
    var worker: String?
    var until: Date?

    static let none = Lease()

    var description: String {
        guard let worker else { return "none" }
        return "\(worker) until \(until.map { "\($0.timeIntervalSince(t0))" } ?? "-")"
    }
}

/// A time stored as UTC milliseconds, as a date.
func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }

/// `incident/name`, as `leases(_:)` keys rows.
func key(_ clock: ClockRow) -> String { "\(clock.incident)/\(clock.name)" }

/// A unit of work that changes no incident but posts `count` messages.
/// Its rows take the store's clock, since there is no event to take a time from.
func postWork(requestID: String, count: Int, channel: ChannelRole = .oncall) -> UnitOfWork {
    UnitOfWork(
        requestID: requestID, reply: .ephemeral("posted"), incident: nil, expectedSequence: 0, events: [],
        outbox: (0..<count).map { OutboxItem(channel: channel, incident: nil, message: message("post \($0 + 1)")) })
}

/// Inserts `incident` with the columns a database before migration 4 has (no `reopened_at_ms`),
/// for upgrade tests that write an older schema by hand.
func insertBeforeVersion4(_ incident: Incident, into database: SQLiteDatabase) throws {
    // Columns that later versions added are left out (they come last in the list).
    let later: Set<String> = ["reopened_at_ms", "playbooks", "hold_by_id", "hold_by_name", "hold_at_ms", "hold_reason"]
    let columns = StoreRows.incidentColumns.filter { !later.contains($0) }
    try database.run(
        "INSERT INTO incidents (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
        Array(StoreRows.bindings(incident).prefix(columns.count)))
}
