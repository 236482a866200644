import Foundation
import Testing
import VigilCore
@testable import VigilStore

@Suite("Store contract: playbook steps (and SQLite's version 2 upgrade)")
struct StepsContractTests {
    /// Evidence with several keys, given out of order, with characters JSON must escape.
    static let evidence = [
        "ticket": "ZD-88213", "amount": "€12,400", "note": "quotes \" and \\ and / and 🚨", "": "an empty key",
    ]

    static let stepLists: [[StepRecord]] = [
        [],
        // No optionals, no evidence.
        [StepRecord(step: "preserve-evidence", status: .done, by: ava, at: at(120))],
        [
            StepRecord(step: "freeze-payouts", status: .awaitingApproval, by: ben, at: at(300), evidence: evidence),
            StepRecord(
                step: "freeze-payouts", status: .done, by: ben, at: at(300), evidence: evidence, approvedBy: ava,
                approvedAt: at(420.5)),
            StepRecord(step: "notify-partner", status: .skipped, by: carolByName, at: at(600), reason: "already aware"),
            // Every optional set, a time before the incident opened and one a millisecond after.
            StepRecord(
                step: "ünïcödé-step", status: .done, by: carolByName, at: at(-86_400.25), evidence: ["a": "1", "b": ""],
                reason: "", approvedBy: ben, approvedAt: Date(timeIntervalSince1970: 1_790_000_000_124 / 1000)),
            // Only the approver set, and only the approval time: neither implies the other.
            StepRecord(step: "lonely-approver", status: .awaitingApproval, by: ava, at: at(1), approvedBy: ben),
            StepRecord(step: "lonely-time", status: .done, by: ava, at: at(2), approvedAt: at(3)),
        ],
    ]

    @Test("steps round-trip every field, on opening and on a later commit", arguments: StoreKind.allCases, stepLists)
    func roundTrip(kind: StoreKind, _ steps: [StepRecord]) async throws {
        try await withStore(kind) { store in
            var work = openWork(1)
            work.incident?.steps = steps
            try await store.commit(work)
            #expect(try await store.incident(1)?.steps == steps)
            #expect(try await store.incidents(matching: IncidentFilter()).first?.steps == steps)

            // A later command replaces the projection's steps (here: all of them, reversed).
            var incident = try #require(try await store.incident(1))
            let expected = incident.lastSequence
            incident.steps = steps.reversed()
            let event = EventChain.append(.stepCompleted, by: ava, at: at(900), payload: ["step": "x"], to: &incident)
            try await store.commit(
                UnitOfWork(requestID: "step", reply: .ephemeral("ok"), incident: incident, expectedSequence: expected,
                           events: [event], outbox: []))
            #expect(try await store.incident(1) == incident)
        }
    }

    @Test("steps are stored as compact JSON: sorted evidence, times in milliseconds, nil members left out",
          arguments: StoreKind.allCases)
    func storedForm(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var work = openWork(1)
            work.incident?.steps = [
                StepRecord(step: "freeze", status: .awaitingApproval, by: ben, at: at(0.3), evidence: ["z": "1", "a": "2"]),
                StepRecord(step: "notify", status: .skipped, by: ava, at: at(1), reason: "dup", approvedBy: ben,
                           approvedAt: at(2)),
            ]
            try await store.commit(work)

            let text: String? = try await inspect(store, "SELECT steps FROM incidents WHERE number = 1").first.flatMap {
                if case let .text(text) = $0.first { text } else { nil }
            }
            #expect(text == """
                [{"step":"freeze","status":"awaiting_approval","by":{"id":"U0BEN","name":"ben"},\
                "at_ms":1790000000423,"evidence":{"a":"2","z":"1"}},\
                {"step":"notify","status":"skipped","by":{"id":"U0AVA","name":"ava"},"at_ms":1790000001123,\
                "evidence":{},"reason":"dup","approved_by":{"id":"U0BEN","name":"ben"},"approved_at_ms":1790000002123}]
                """)
        }
    }

    static let corruptSteps: [String] = [
        "SECRET not json",
        #"{"step":"SECRET"}"#,
        #"["SECRET"]"#,
        #"[{"step":"SECRET","status":"done","by":{"id":"U1","name":"a"},"at_ms":1}]"#,
        #"[{"step":"SECRET","status":"maybe","by":{"id":"U1","name":"a"},"at_ms":1,"evidence":{}}]"#,
        #"[{"step":"SECRET","status":"done","by":{"id":"U1"},"at_ms":1,"evidence":{}}]"#,
        #"[{"step":"SECRET","status":"done","by":{"id":"U1","name":"a","role":"x"},"at_ms":1,"evidence":{}}]"#,
        #"[{"step":"SECRET","status":"done","by":{"id":"U1","name":"a"},"at_ms":1.5,"evidence":{}}]"#,
        #"[{"step":"SECRET","status":"done","by":{"id":"U1","name":"a"},"at_ms":"1","evidence":{}}]"#,
        #"[{"step":"SECRET","status":"done","by":{"id":"U1","name":"a"},"at_ms":1,"evidence":{"k":1}}]"#,
        #"[{"step":"SECRET","status":"done","by":{"id":"U1","name":"a"},"at_ms":1,"evidence":{},"reason":null}]"#,
        // A misspelt member would otherwise drop an approval without a word.
        #"[{"step":"s","status":"done","by":{"id":"U1","name":"a"},"at_ms":1,"evidence":{},"approvedBy_SECRET":{}}]"#,
    ]

    @Test("a steps column that does not decode is a failure naming the column, never the stored text",
          arguments: StoreKind.allCases, corruptSteps)
    func unreadableSteps(kind: StoreKind, _ corruption: String) async throws {
        try await withStore(kind) { store in
            try await store.commit(openWork(1))
            try await tamper(store, "UPDATE incidents SET steps = '\(corruption)'")

            let error = await #expect(throws: StoreError.self) { try await store.incident(1) }
            #expect(error?.kind == .failure)
            #expect(error?.message.contains("incidents.steps") == true)
            #expect(error?.message.contains("SECRET") == false)
        }
    }

    @Test("opening a version 1 database upgrades it in place: its incidents read back with no steps")
    func upgradeFromVersion1() async throws {
        try await withDatabasePath { path in
            // A database as the previous release left it: migration 1 only, one incident and its event.
            let (incident, events) = opened(1)
            let event = try #require(events.first)
            do {
                let database = try SQLiteDatabase(path: path)
                #expect(try SQLiteMigrations.migrate(database, upTo: 1) == [1])
                #expect(try SQLiteMigrations.appliedVersion(database) == 1)
                // Spelled out in version 1's columns: the store's own insert now names `steps`.
                try database.run(
                    """
                    INSERT INTO incidents (number, title, severity, category, state, level, reporter_id,
                        reporter_name, platform, channel, opened_at_ms, known_at_ms, refs, restricted,
                        last_sequence, last_hash)
                    VALUES (1, ?, ?, ?, 'open', 1, ?, ?, ?, ?, ?, ?, '[]', 0, 1, ?)
                    """,
                    [
                        .text(incident.title), .text(incident.severity), .text(incident.category),
                        .text(ava.id), .text(ava.name), .text(incident.platform), .text(incident.channel),
                        .integer(StoreTime.milliseconds(t0)), .integer(StoreTime.milliseconds(t0)),
                        .text(incident.lastHash),
                    ])
                try database.run(StoreRows.insertEvent, StoreRows.bindings(event))
                let tables = try database.query("SELECT name FROM sqlite_master WHERE name LIKE 'clocks%'") {
                    $0.text(0)
                }
                #expect(tables.isEmpty)
            }

            let store = try SQLiteIncidentStore.open(path: path)
            let upgraded = try #require(try await store.incident(1))
            #expect(upgraded.steps == [])
            #expect(upgraded == incident)
            #expect(try await store.events(of: 1) == events)
            #expect(try await store.read { database in
                try database.query("SELECT version FROM schema_migrations ORDER BY version") { $0.int(0) }
            } == SQLiteMigrations.all.map(\.version))

            // The upgraded incident takes steps and clocks like a new one.
            var work = ackWork(upgraded, by: ben, requestID: "ack")
            work.incident?.steps = [StepRecord(step: "triage", status: .done, by: ben, at: at(60))]
            work.clocks = [clock(1, "ack", .ack, due: 900).stopped(at: at(60))]
            try await store.commit(work)
            #expect(try await store.incident(1) == work.incident)
            #expect(try await store.clocks(of: 1) == work.clocks)
            #expect(EventChain.verify(try await store.events(of: 1)))
            await store.close()
        }
    }
}
