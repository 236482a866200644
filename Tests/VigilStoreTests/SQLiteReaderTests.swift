import Foundation
import Synchronization
import Testing
import VigilCore
@testable import VigilStore

/// Views, `/readyz` and reports read on WAL readers of their own: never behind the writer's
/// groups, and a long report never in front of a command or a view.
@Suite("SQLite readers")
struct SQLiteReaderTests {
    static let query = KPIReport.query(
        for: ReportPeriod(since: t0.addingTimeInterval(-7 * 86_400), until: t0.addingTimeInterval(86_400), label: "week"),
        now: at(3600), timeZone: .gmt, breachLimit: 10)

    @Test("views, ping and reports answer while a group is held at its COMMIT, from the last committed state")
    func readsDoNotWaitForTheWriter() async throws {
        try await withDatabasePath { path in
            // setup: INC-1 committed; INC-2's group held at its COMMIT
            let gate = CommitGate(holdingFirst: false)
            let store = try openStore(path, hooks: gate.hooks)
            try await store.commit(openWork(1))
            gate.holdNextGroup()
            let held = Task { try await store.commit(openWork(2)) }
            try await waitUntil("INC-2's group is held") { gate.isHolding }
            // MUT + validate: every read answers, and none sees the uncommitted INC-2
            #expect(try await store.incident(1) != nil)
            #expect(try await store.incident(2) == nil)
            #expect(try await store.incidentRecord(1)?.events.count == 1)
            #expect(try await store.listed(matching: IncidentFilter()).map(\.incident.number) == [1])
            try await store.ping()
            #expect(try await store.reportFacts(Self.query).opened.map(\.count).reduce(0, +) == 1)
            gate.open()
            try await held.value
            // A read after the commit returned sees it.
            #expect(try await store.incident(2) != nil)
            await store.close()
        }
    }

    @Test("a slow report delays neither commands nor views")
    func aSlowReportBlocksNothingElse() async throws {
        try await withDatabasePath { path in
            // setup: reports wait at the start until released
            let release = DispatchSemaphore(value: 0)
            let reportStarted = Counter()
            let hooks = StoreHooks(beforeRead: { name in
                guard name == "report" else { return }
                reportStarted.add()
                release.wait()
            })
            let store = try openStore(path, hooks: hooks)
            try await store.commit(openWork(1))
            let report = Task { try await store.reportFacts(Self.query) }
            try await waitUntil("the report is running") { reportStarted.value == 1 }
            // MUT + validate: while it runs, commands commit and views read
            try await store.commit(openWork(2))
            #expect(try await store.incident(2) != nil)
            #expect(try await store.listed(matching: IncidentFilter()).count == 2)
            release.signal()
            // The report's snapshot began after INC-2 committed, so it counts both.
            #expect(try await report.value.opened.map(\.count).reduce(0, +) == 2)
            await store.close()
        }
    }

    @Test("a reader connection refuses writes")
    func readersAreReadOnly() async throws {
        try await withStore { store, _ in
            await #expect(throws: StoreError.self) {
                try await store.read { database in try database.run("DELETE FROM incidents") }
            }
        }
    }
}
