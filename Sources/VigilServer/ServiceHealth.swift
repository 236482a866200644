import Foundation
import Synchronization
import VigilJSON

/// When each background service last finished a cycle, for `/readyz`: an operator running
/// several replicas needs to see that each one's scheduler and delivery still turn, not only
/// that the process answers.
public final class ServiceHealth: Sendable {
    /// One service's record.
    public struct Entry: Sendable, Equatable {
        /// The longest a healthy service goes between cycles; past three times that it is stale.
        public var cycle: Duration
        public var lastSuccess: Date?
        public var lastFailure: Date?
        /// The last failure's cause, without stored text.
        public var lastError: String?
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// When the process started: a service with no cycle yet is stale only once this is old.
    public let started: Date

    public init(started: Date) {
        self.started = started
    }

    /// Declares `name`, whose cycles come at least every `cycle` while it is healthy.
    public func register(_ name: String, cycle: Duration) {
        entries.withLock { $0[name] = $0[name] ?? Entry(cycle: cycle) }
    }

    public func succeeded(_ name: String, at date: Date) {
        entries.withLock { $0[name, default: Entry(cycle: .seconds(60))].lastSuccess = date }
    }

    public func failed(_ name: String, at date: Date, error: String) {
        entries.withLock { entries in
            entries[name, default: Entry(cycle: .seconds(60))].lastFailure = date
            entries[name, default: Entry(cycle: .seconds(60))].lastError = error
        }
    }

    public var snapshot: [String: Entry] { entries.withLock { $0 } }

    /// Services that have not finished a cycle within three of their cycles (counting from start
    /// for one that never has), at `now`.
    public func stale(at now: Date) -> [String] {
        snapshot.filter { _, entry in
            let since = entry.lastSuccess ?? started
            return now.timeIntervalSince(since) > 3 * entry.cycle.seconds
        }.keys.sorted()
    }

    /// `/readyz`'s body: the database's state and each service's last cycle.
    func readiness(database: String, at now: Date) -> JSONValue {
        let stale = Set(stale(at: now))
        let services = snapshot.sorted { $0.key < $1.key }.map { name, entry -> (String, JSONValue) in
            var fields: [(String, JSONValue)] = [("status", .string(stale.contains(name) ? "stale" : "ok"))]
            fields.append(("last_success", entry.lastSuccess.map { .string(Self.timestamp($0)) } ?? .null))
            if let failure = entry.lastFailure { fields.append(("last_failure", .string(Self.timestamp(failure)))) }
            if let error = entry.lastError { fields.append(("last_error", .string(error))) }
            return (name, .object(fields))
        }
        let ready = database == "ok" && stale.isEmpty
        return .object([("status", .string(ready ? "ready" : "not ready")), ("database", .string(database)), ("services", .object(services))])
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

extension Duration {
    /// This duration in seconds.
    var seconds: TimeInterval { TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18 }
}
