import Foundation
import Testing
import VigilCore
@testable import VigilStore

@Suite("Store contract: commits and reads")
struct IncidentStoreContractTests {
    /// A resolved, restricted incident with every optional field set and three chained events.
    static func fullWork() -> UnitOfWork {
        var incident = Incident(
            number: 7, title: "Restricted \"thing\" with ünïcödé 🚨", severity: "sev1", category: "child-safety",
            level: 3, reporter: carolByName, platform: "mattermost", channel: "ts-private", openedAt: t0,
            knownAt: at(-3600), refs: ["ZD-88213", "JIRA-1"], playbook: "csam-v2", restricted: true)
        var events = [
            EventChain.append(
                .opened, by: carolByName, at: t0,
                payload: ["severity": "sev1", "category": "child-safety", "known": "2026-11-22 09:30"],
                to: &incident),
        ]
        incident.state = .acknowledged
        incident.acknowledgedAt = at(60)
        incident.acknowledgedBy = ben
        incident.owner = ben
        events.append(EventChain.append(.acknowledged, by: ben, at: at(60), to: &incident))
        incident.state = .resolved
        incident.resolvedAt = at(7200.5)
        incident.resolvedBy = ava
        incident.resolution = "Accounts removed; report filed"
        events.append(
            EventChain.append(.resolved, by: ava, at: at(7200.5), payload: ["resolution": "removed"], to: &incident))
        return UnitOfWork(
            requestID: "trigger.7.full", reply: richReply, incident: incident, expectedSequence: 0, events: events,
            outbox: [
                OutboxItem(channel: .incidents, incident: 7, message: richReply.message),
                OutboxItem(channel: .leads, incident: nil, message: Message(lines: [])),
            ])
    }

    @Test("a commit writes events, projection, outbox and request record, and reads every field back",
          arguments: StoreKind.allCases, [fullWork(), openWork(1)])
    func roundTrip(kind: StoreKind, _ work: UnitOfWork) async throws {
        try await withStore(kind) { store in
            // MUT
            try await store.commit(work)

            // validate
            let incident = try #require(work.incident)
            #expect(try await store.incident(incident.number) == incident)
            #expect(try await store.events(of: incident.number) == work.events)
            #expect(try await store.storedReply(requestID: try #require(work.requestID)) == work.reply)
            let rows = try await store.claimOutbox(now: at(86_400), limit: 10, worker: "w", leaseUntil: at(86_430))
            #expect(rows.map(\.item) == work.outbox)
            #expect(rows.allSatisfy { $0.createdAt == work.events.last?.at && $0.attempts == 0 })
            #expect(try await rowCounts(store)
                == RowCounts(incidents: 1, events: work.events.count, outbox: work.outbox.count, idempotency: 1))
        }
    }

    @Test("times are kept to the millisecond, rounded like the hash chain rounds them", arguments: StoreKind.allCases)
    func millisecondPrecision(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let precise = Date(timeIntervalSince1970: 1_790_000_000.1236)
            let work = openWork(1, at: precise)
            try await store.commit(work)

            let stored = try #require(try await store.incident(1))
            let expected = Date(timeIntervalSince1970: 1_790_000_000_124 / 1000)
            #expect(stored.openedAt == expected && stored.knownAt == expected)
            #expect(EventChain.verify(try await store.events(of: 1)))
        }
    }

    @Test("a repeated request ID changes nothing and answers with the first reply", arguments: StoreKind.allCases)
    func duplicateRequest(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(openWork(1, requestID: "trigger-1"))
            try await store.commit(postWork(requestID: "trigger-2", count: 1))
            let before = try await rowCounts(store)

            for repeated in ["trigger-1", "trigger-2"] {
                // MUT: a different command under an already used request ID
                let error = await #expect(throws: StoreError.self) {
                    try await store.commit(openWork(2, requestID: repeated))
                }

                // validate
                #expect(error?.kind == .duplicateRequest)
                let first = repeated == "trigger-1" ? Reply(.inChannel, message("Opened INC-1")) : .ephemeral("posted")
                #expect(error?.storedReply == first)
                #expect(try await store.storedReply(requestID: repeated) == first)
            }
            #expect(try await rowCounts(store) == before)
            #expect(try await store.incident(2) == nil)
            #expect(try await store.storedReply(requestID: "never-seen") == nil)
        }
    }

    @Test("a stale expected sequence is a conflict and writes nothing", arguments: StoreKind.allCases)
    func staleSequence(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(openWork(1))
            let stale = try #require(try await store.incident(1))
            try await store.commit(ackWork(stale, by: ava, requestID: "ack-ava"))
            let before = try await rowCounts(store)

            #expect(try await outcome(of: ackWork(stale, by: ben, requestID: "ack-ben"), in: store) == .conflict)
            // A second `open` of a number already taken is the same conflict (expected 0, found 1).
            #expect(try await outcome(of: openWork(1, requestID: "open-again"), in: store) == .conflict)
            // So is a projection-only write from a stale read: no event key would catch this one.
            let stalePost = UnitOfWork(
                requestID: "stale-post", reply: .ephemeral("x"), incident: stale, expectedSequence: 1, events: [],
                outbox: [])
            #expect(try await outcome(of: stalePost, in: store) == .conflict)

            #expect(try await rowCounts(store) == before)
            #expect(try await store.incident(1)?.acknowledgedBy == ava)
            #expect(try await store.storedReply(requestID: "ack-ben") == nil)
        }
    }

    @Test("an event already at that sequence is a conflict, and the whole unit of work rolls back", arguments: StoreKind.allCases)
    func eventKeyConflictRollsBack(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(openWork(1))
            let incident = try #require(try await store.incident(1))
            // Another writer's event at sequence 2, without the projection catching up.
            try await tamper(
                store,
                """
                INSERT INTO events VALUES (1, 2, 'noted', 'U0BEN', 'ben', 0, '{}', '\(incident.lastHash)', 'x')
                """)

            #expect(try await outcome(of: ackWork(incident, by: ava, requestID: "ack"), in: store) == .conflict)

            #expect(try await store.incident(1) == incident)
            #expect(try await rowCounts(store) == RowCounts(incidents: 1, events: 2, outbox: 1, idempotency: 1))
            #expect(try await store.storedReply(requestID: "ack") == nil)
        }
    }

    /// SQLite only: PostgreSQL's replicas race in ``PostgresReplicaTests``.
    @Test("of two commits racing on one incident exactly one wins (SQLite, one or two connections)", arguments: [1, 2])
    func race(connections: Int) async throws {
        try await withStore { first, path in
            let second = connections == 1 ? first : try SQLiteIncidentStore.open(path: path)
            for number in 1...10 {
                try await first.commit(openWork(number))
                let base = try #require(try await first.incident(number))

                // MUT: both acknowledge the incident as they read it
                let outcomes = try await withThrowingTaskGroup(of: StoreError.Kind?.self) { group in
                    group.addTask { try await outcome(of: ackWork(base, by: ava, requestID: "a\(number)"), in: first) }
                    group.addTask { try await outcome(of: ackWork(base, by: ben, requestID: "b\(number)"), in: second) }
                    return try await group.reduce(into: []) { $0.append($1) }
                }

                // validate
                #expect(outcomes.filter { $0 == nil }.count == 1)
                #expect(outcomes.filter { $0 == .conflict }.count == 1)
                let events = try await second.events(of: number)
                #expect(events.count == 2 && EventChain.verify(events))
                #expect(try await second.incident(number)?.lastHash == events.last?.hash)
            }
            if connections == 2 { await second.close() }
        }
    }

    @Test("a unit of work whose parts disagree is refused and writes nothing", arguments: StoreKind.allCases)
    func inconsistentWork(kind: StoreKind) async throws {
        // Every `try` below is inside a macro, which does not make the closure throwing by itself.
        try await withStore(kind) { store async throws in
            let (_, events) = opened(1)
            var wrongSequence = openWork(2)
            wrongSequence.incident?.lastSequence = 5
            var wrongHash = openWork(3)
            wrongHash.incident?.lastHash = EventChain.genesis
            let orphanEvents = UnitOfWork(
                requestID: "orphan", reply: .ephemeral("x"), incident: nil, expectedSequence: 0, events: events,
                outbox: [])

            for work in [wrongSequence, wrongHash, orphanEvents] {
                #expect(try await outcome(of: work, in: store) == .failure)
            }
            #expect(try await rowCounts(store) == RowCounts())
        }
    }

    @Test("incident numbers rise across reopening, are never reused, and stay above existing incidents", arguments: StoreKind.allCases)
    func incidentNumbers(kind: StoreKind) async throws {
        try await withDatabase(kind) { open in
            let first = try await open()
            #expect(try await reserveIncidentNumber(first) == 1)
            #expect(try await reserveIncidentNumber(first) == 2)
            await close(first)

            let store = try await open()
            #expect(try await reserveIncidentNumber(store) == 3)
            let concurrent = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 1...20 { group.addTask { try await reserveIncidentNumber(store) } }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(concurrent == Set(4...23))

            // An incident written with a number the counter never handed out (an import, say).
            try await store.commit(openWork(40))
            #expect(try await reserveIncidentNumber(store) == 41)
            await close(store)
        }
    }

    @Test("everything committed survives closing and reopening", arguments: StoreKind.allCases)
    func survivesReopen(kind: StoreKind) async throws {
        try await withDatabase(kind) { open in
            let work = Self.fullWork()
            let first = try await open()
            try await first.commit(work)
            try await first.commit(postWork(requestID: "post", count: 2))
            await close(first)

            let store = try await open()
            #expect(try await store.incident(7) == work.incident)
            #expect(try await store.events(of: 7) == work.events)
            #expect(try await store.storedReply(requestID: try #require(work.requestID)) == work.reply)
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 4, deadLettered: 0))
            await close(store)
        }
    }

    @Test("a hash chain built over several commits reads back intact, and tampering shows", arguments: StoreKind.allCases)
    func hashChain(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(openWork(1))
            let steps: [(EventKind, UserRef, [String: String])] = [
                (.acknowledged, ava, [:]), (.noted, ben, ["text": "Blocked BIN 412345"]),
                (.escalated, ava, ["level": "2", "reason": "volume doubling"]), (.severityChanged, ben, ["severity": "sev1"]),
                (.resolved, ava, ["resolution": "Rule shipped"]),
            ]
            for (offset, (kind, actor, payload)) in steps.enumerated() {
                var incident = try #require(try await store.incident(1))
                let expected = incident.lastSequence
                let event = EventChain.append(kind, by: actor, at: at(Double(offset + 1) * 60), payload: payload,
                                              to: &incident)
                try await store.commit(
                    UnitOfWork(requestID: "step-\(offset)", reply: .ephemeral("ok"), incident: incident,
                               expectedSequence: expected, events: [event], outbox: []))
            }

            let events = try await store.events(of: 1)
            #expect(events.map(\.sequence) == Array(1...6))
            #expect(EventChain.verify(events))

            try await tamper(store, #"UPDATE events SET payload = '{"text":"nothing to see"}' WHERE sequence = 3"#)
            #expect(!EventChain.verify(try await store.events(of: 1)))
        }
    }

    @Test("a closed store fails every call with a store error", arguments: StoreKind.allCases)
    func closed(kind: StoreKind) async throws {
        try await withDatabase(kind) { open in
            let store = try await open()
            await close(store)
            let error = await #expect(throws: StoreError.self) { try await store.incident(1) }
            #expect(error?.kind == .failure)
            await #expect(throws: StoreError.self) { try await store.commit(openWork(1)) }
        }
    }
}
