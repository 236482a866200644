import Foundation
import VigilConfig
import VigilCore
import VigilJSON

/// `vigil status`: the health summary an operator on the box reads — whether the store answers
/// (`database: ok` or `unavailable`, the words of `/readyz`), the outbox by channel as
/// `/incident status` counts it, the newest dead letters, and the unresolved incidents and their
/// clocks. Healthy means the store answers and nothing is dead-lettered.
public struct StatusReport: Sendable {
    /// Dead letters shown, newest first.
    public static let deadLetterLimit = 3

    /// Where the store is, as `database:` shows it (a PostgreSQL password is never shown).
    public var database: String
    /// The store's answer; `nil` when it could not be opened or read.
    public var store: StoreStatus?
    /// Why the store could not be read, redacted.
    public var storeError: String?
    public var policy: Policy
    public var now: Date

    public init(database: String, store: StoreStatus?, storeError: String?, policy: Policy, now: Date) {
        self.database = database
        self.store = store
        self.storeError = storeError
        self.policy = policy
        self.now = now
    }

    /// Reads the status of `configuration`'s store at `now`. A store that cannot be opened,
    /// pinged or read gives a report that says so rather than an error.
    public static func read(_ configuration: VigilConfiguration, now: Date) async -> StatusReport {
        let redactor = LogRedactor(secrets: configuration.secrets)
        var report = StatusReport(
            database: configuration.database.description, store: nil, storeError: nil, policy: configuration.policy, now: now)
        let store: StoreOpener.Store
        do {
            store = try await StoreOpener.open(configuration.database)
        } catch {
            report.storeError = redactor.redact("\(error)")
            return report
        }
        StoreOpener.startIfNeeded(store)
        do {
            try await store.ping()
            var status = try await store.storeStatus(now: now, deadLetterLimit: Self.deadLetterLimit)
            for index in status.deadLetters.indices {
                status.deadLetters[index].lastError = status.deadLetters[index].lastError.map(redactor.redact)
            }
            report.store = status
        } catch {
            report.storeError = redactor.redact("\(error)")
        }
        await StoreOpener.close(store)
        return report
    }

    /// The store answers and nothing is dead-lettered.
    public var isHealthy: Bool { store.map { $0.deadLettered == 0 } ?? false }

    /// `vigil status`'s exit status: 0 healthy, 1 otherwise.
    public var exitCode: Int32 { isHealthy ? 0 : 1 }

    /// `/readyz`'s word for the store.
    var databaseState: String { store == nil ? "unavailable" : "ok" }

    // MARK: - Text

    /// The report for people, one fact a line.
    public var text: String {
        var lines = ["status: \(isHealthy ? "healthy" : "unhealthy")"]
        guard let store else {
            lines.append("database: unavailable (\(database))")
            if let storeError { lines.append("  \(storeError)") }
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("database: ok (\(database), schema version \(store.schemaVersion))")
        let pending = store.outbox.reduce(0) { $0 + $1.pending }, retrying = store.outbox.reduce(0) { $0 + $1.retrying }
        var outbox = "outbox: \(pending) pending (\(retrying) retrying), \(store.deadLettered) dead-lettered"
        if let oldest = store.oldestPending { outbox += "; oldest pending \(Self.age(from: oldest, to: now)) old" }
        lines.append(outbox)
        for channel in store.outbox {
            let name = channel.channel.padding(toLength: max(12, channel.channel.count), withPad: " ", startingAt: 0)
            lines.append("  \(name) \(channel.pending) pending, \(channel.retrying) retrying, \(channel.deadLettered) dead-lettered")
        }
        if !store.deadLetters.isEmpty {
            lines.append("dead letters (newest \(store.deadLetters.count) of \(store.deadLettered)):")
            for letter in store.deadLetters {
                var line = "  row \(letter.id) \(letter.channel)"
                if let incident = letter.incident { line += " \(policy.displayID(incident))" }
                line += ", \(letter.attempts) attempts"
                if let at = letter.deadAt { line += ", \(Self.timestamp(at))" }
                lines.append(line + ": \(letter.lastError ?? "no error recorded")")
            }
        }
        let open = store.incidents[.open] ?? 0, acknowledged = store.incidents[.acknowledged] ?? 0
        lines.append("incidents: \(open) open, \(acknowledged) acknowledged; \(store.breached) breached")
        if let next = store.nextClock {
            lines.append(
                "next clock: \(policy.displayID(next.incident)) \(next.name) due \(Self.timestamp(next.dueAt)) (in \(Self.age(from: now, to: next.dueAt)))"
            )
        } else {
            lines.append("next clock: none running")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - JSON

    /// The report for scripts: the same facts, with times in RFC 3339 and ages in seconds.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("status", .string(isHealthy ? "healthy" : "unhealthy")), ("database", .string(databaseState)),
            ("database_url", .string(database)),
        ]
        guard let store else {
            members.append(("error", storeError.map(JSONValue.string) ?? .null))
            return .object(members)
        }
        members.append(("schema_version", .int(Int64(store.schemaVersion))))
        let channels = store.outbox.map { channel -> JSONValue in
            .object([
                ("channel", .string(channel.channel)), ("pending", .int(Int64(channel.pending))),
                ("retrying", .int(Int64(channel.retrying))),
                ("dead_lettered", .int(Int64(channel.deadLettered))),
            ])
        }
        let letters = store.deadLetters.map { letter -> JSONValue in
            .object([
                ("row", .int(letter.id)), ("channel", .string(letter.channel)),
                ("incident", letter.incident.map { .string(policy.displayID($0)) } ?? .null), ("attempts", .int(Int64(letter.attempts))),
                ("dead_at", letter.deadAt.map { .string(Self.timestamp($0)) } ?? .null),
                ("last_error", letter.lastError.map(JSONValue.string) ?? .null),
            ])
        }
        members.append(
            (
                "outbox",
                .object([
                    ("pending", .int(Int64(store.outbox.reduce(0) { $0 + $1.pending }))),
                    ("retrying", .int(Int64(store.outbox.reduce(0) { $0 + $1.retrying }))),
                    ("dead_lettered", .int(Int64(store.deadLettered))),
                    ("oldest_pending", store.oldestPending.map { .string(Self.timestamp($0)) } ?? .null),
                    ("oldest_pending_age_s", store.oldestPending.map { .int(Int64(max(0, now.timeIntervalSince($0)))) } ?? .null),
                    ("channels", .array(channels)), ("dead_letters", .array(letters)),
                ])
            ))
        let next: JSONValue =
            store.nextClock.map { next in
                .object([
                    ("incident", .string(policy.displayID(next.incident))), ("clock", .string(next.name)),
                    ("due_at", .string(Self.timestamp(next.dueAt))),
                ])
            } ?? .null
        members.append(
            (
                "incidents",
                .object([
                    ("open", .int(Int64(store.incidents[.open] ?? 0))), ("acknowledged", .int(Int64(store.incidents[.acknowledged] ?? 0))),
                    ("breached", .int(Int64(store.breached))), ("next_clock", next),
                ])
            ))
        return .object(members)
    }

    /// ``json`` on one line.
    public var jsonText: String { json.serializedString() + "\n" }

    // MARK: - Words

    /// `2026-12-03T19:21:05.123Z`, as JSON log lines write times.
    static func timestamp(_ date: Date) -> String { JSONLogHandler.timestamp(date) }

    /// Whole seconds from `start` to `end` as `1h5m`, `0s` when none.
    static func age(from start: Date, to end: Date) -> String {
        let seconds = Int64(max(0, end.timeIntervalSince(start)))
        return seconds == 0 ? "0s" : DurationText.configForm(.seconds(seconds))
    }
}
