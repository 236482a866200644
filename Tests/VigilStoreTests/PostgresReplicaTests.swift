import Foundation
import Synchronization
import Testing
import VigilCore
import VigilTestSupport
@testable import VigilStore

/// What only a store shared by several processes has to get right: replicas racing on one
/// incident or one request, starting together on an empty database, and waking each other.
/// Each "replica" here is a store instance of its own, with its own pool, on one database.
@Suite("PostgreSQL replicas")
struct PostgresReplicaTests {
    /// Two stores on one new database.
    private func twoReplicas(retry: StoreRetry = StoreRetry()) async throws -> (PostgresIncidentStore, PostgresIncidentStore) {
        let configuration = try await newPostgresDatabase()
        let first = try await PostgresIncidentStore.open(configuration, now: { t0 }, retry: retry)
        let second = try await PostgresIncidentStore.open(configuration, now: { t0 }, retry: retry)
        first.startRunning()
        second.startRunning()
        return (first, second)
    }

    /// The unit `ack` makes: acknowledge the incident as it is inside the unit, or answer that
    /// it already is.
    private func ackUnit(_ number: Int, by user: UserRef, requestID: String) -> StoreUnit<String> {
        StoreUnit(key: .request(id: requestID, fingerprint: nil), target: .incident(number)) { input in
            if let stored = input.stored { return .answer("repeat: \(stored.reply.message.plainText)") }
            guard let incident = input.incident else { return .answer("no such incident") }
            guard incident.state == .open else { return .answer("already acknowledged by \(incident.acknowledgedBy?.name ?? "?")") }
            let work = ackWork(incident, by: user, requestID: requestID)
            return .write(work, "acknowledged by \(user.name)")
        }
    }

    @Test("of two replicas racing to ack one incident exactly one wins; the other re-decides on what the winner wrote")
    func racingAck() async throws {
        let (first, second) = try await twoReplicas()
        for number in 1...10 {
            try await first.commit(openWork(number))
            async let a = first.perform(ackUnit(number, by: ava, requestID: "a\(number)"))
            async let b = second.perform(ackUnit(number, by: ben, requestID: "b\(number)"))
            let answers = try await [a, b]
            #expect(answers.filter { $0.hasPrefix("acknowledged by") }.count == 1, "\(answers)")
            #expect(answers.filter { $0.hasPrefix("already acknowledged by") }.count == 1, "\(answers)")
            let events = try await second.events(of: number)
            #expect(events.count == 2 && EventChain.verify(events))
            #expect(try await first.incident(number)?.lastHash == events.last?.hash)
        }
        await first.close()
        await second.close()
    }

    @Test("one request delivered to two replicas at once is answered once and written once")
    func racingRepeat() async throws {
        let (first, second) = try await twoReplicas()
        try await first.commit(openWork(1))
        for attempt in 1...10 {
            let id = "slack:trigger-\(attempt)"
            let unit = StoreUnit<String>(key: .request(id: id, fingerprint: nil), target: .incident(1)) { input in
                if let stored = input.stored { return .answer("repeat: \(stored.reply.message.plainText)") }
                guard let incident = input.incident else { return .answer("gone") }
                var next = incident
                let event = EventChain.append(.noted, by: ava, at: at(Double(attempt)), payload: ["text": "n\(attempt)"], to: &next)
                return .write(
                    UnitOfWork(
                        requestID: id, reply: .ephemeral("noted \(attempt)"), incident: next, expectedSequence: incident.lastSequence,
                        events: [event], outbox: []), "noted \(attempt)")
            }
            async let a = first.perform(unit)
            async let b = second.perform(unit)
            let answers = try await [a, b]
            #expect(answers.sorted() == ["noted \(attempt)", "repeat: noted \(attempt)"], "\(answers)")
        }
        let events = try await first.events(of: 1)
        #expect(events.count == 11 && EventChain.verify(events))
        #expect(try await integer(first, "SELECT count(*) FROM idempotency") == 11)
        await first.close()
        await second.close()
    }

    @Test("new incidents opened on two replicas at once get distinct numbers with no gaps")
    func racingOpens() async throws {
        let (first, second) = try await twoReplicas()
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                let store = index.isMultiple(of: 2) ? first : second
                group.addTask {
                    try await store.perform(
                        StoreUnit<Int>(key: .request(id: "open-\(index)", fingerprint: nil), target: .newIncident) { input in
                            let number = try input.reserveNumber()
                            return .write(openWork(number, requestID: "open-\(index)"), number)
                        })
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(numbers.sorted() == Array(1...20))
        await first.close()
        await second.close()
    }

    @Test("replicas starting together on an empty database migrate it once")
    func migrateOnce() async throws {
        let configuration = try await newPostgresDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresIncidentStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresIncidentStore.open(configuration) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        stores[0].startRunning()
        let versions = try await inspect(stores[0], "SELECT version FROM schema_migrations ORDER BY version")
        #expect(versions.map { $0.first } == PostgresMigrations.all.map { .integer(Int64($0.version)) })
        for store in stores { await store.close() }
    }

    @Test("a commit on one replica wakes the other's services through NOTIFY")
    func wakesPeers() async throws {
        let (first, second) = try await twoReplicas()
        let heard = Mutex<[StoreChange]>([])
        second.onChange { change in heard.withLock { $0.append(change) } }
        // The listener announces both kinds once when it connects: wait for that, then clear.
        try await waitUntil("the listener connected") { heard.withLock { $0.contains(.outbox) && $0.contains(.clocks) } }
        heard.withLock { $0.removeAll() }

        var work = openWork(1)
        work.clocks = [clock(1, "ack", .ack, due: 300, fire: 240)]
        try await first.commit(work)
        try await waitUntil("the commit's notices arrived", timeout: .seconds(30)) { heard.withLock { $0.contains(.outbox) && $0.contains(.clocks) } }
        await first.close()
        await second.close()
    }

    @Test("a database that cannot be reached fails at open, fast, with the cause and without the password")
    func unreachable() async throws {
        let port = try ReservedLocalPort()
        let configuration = PostgresStoreConfiguration(
            host: "127.0.0.1", port: port.port, username: "vigil", password: "hunter2-secret", database: "vigil", tls: .disable)
        let started = ContinuousClock.now
        do {
            _ = try await PostgresIncidentStore.open(configuration)
            Issue.record("open succeeded against a closed port")
        } catch let error as StoreError {
            #expect(!"\(error)".contains("hunter2"))
            #expect("\(error)".lowercased().contains("connect") || "\(error)".lowercased().contains("refused"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        // The port stays reserved until here: released after its last use above, it could be
        // handed to another test's listener, and the open would then wait on a server that never
        // speaks PostgreSQL (a CI run took 34 s that way).
        withExtendedLifetime(port) {}
    }
}
