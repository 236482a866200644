import Foundation
import Testing
import VigilCore
import VigilJSON
import VigilServer
import VigilTestSupport

/// `vigil status` on SQLite and PostgreSQL: incidents made through the command desk, an outbox
/// with a retrying post and a dead letter, read by the executable as an operator runs it.
@Suite struct StatusCommandTests {
    typealias Kind = AuditTrailTests.Kind

    @Test("vigil status says healthy, then names the dead letter and exits 1", arguments: Kind.allCases)
    func healthThenDeadLetter(kind: Kind) async throws {
        try await AuditTrailTests.withDatabase(kind) { database in
            // setup: INC-1 resolved, INC-2 (restricted) and INC-3 open; their channel posts pending.
            try await AuditTrailTests.seed(database.store)
            func vigil(_ arguments: String...) async throws -> (status: Int32, stdout: String, stderr: String) {
                try await VigilExecutable.run(["status"] + arguments + ["--database", database.url], in: database.directory)
            }

            // MUT: all is well
            let healthy = try await vigil()
            // validate
            #expect(healthy.status == 0, "\(healthy.stderr)")
            #expect(healthy.stdout.hasPrefix("status: healthy\ndatabase: ok ("), "\(healthy.stdout)")
            #expect(healthy.stdout.contains("incidents: 2 open, 0 acknowledged; 2 breached"), "\(healthy.stdout)")
            #expect(healthy.stdout.contains("0 dead-lettered"))
            #expect(!healthy.stdout.contains("Reported upload"))

            // setup: one post retrying, one given up on
            let rows = try await database.store.claimOutbox(
                now: Date(), limit: 2, worker: "test", leaseUntil: Date().addingTimeInterval(30))
            try #require(rows.count == 2)
            try await database.store.reschedule(rows[0].id, attempts: 1, nextAttemptAt: Date().addingTimeInterval(60), error: "HTTP 500")
            try await database.store.deadLetter(rows[1].id, attempts: 8, error: "HTTP 404: no_service", at: Date())

            // MUT
            let text = try await vigil()
            let json = try await vigil("--format", "json")
            // validate
            #expect(text.status == 1 && json.status == 1)
            #expect(text.stdout.hasPrefix("status: unhealthy\n"), "\(text.stdout)")
            #expect(text.stdout.contains("(1 retrying), 1 dead-lettered"), "\(text.stdout)")
            #expect(text.stdout.contains("dead letters (newest 1 of 1):\n  row \(rows[1].id) "), "\(text.stdout)")
            #expect(text.stdout.contains("8 attempts") && text.stdout.contains(": HTTP 404: no_service"))
            let document = try JSONValue.parse(json.stdout)
            #expect(document["status"]?.stringValue == "unhealthy")
            #expect(document["database"]?.stringValue == "ok")
            #expect((document["schema_version"]?.intValue ?? 0) > 0)
            #expect(document["outbox"]?["dead_lettered"]?.intValue == 1)
            #expect(document["outbox"]?["retrying"]?.intValue == 1)
            #expect(document["outbox"]?["dead_letters"]?.arrayValue?.first?["last_error"]?.stringValue == "HTTP 404: no_service")
            #expect(document["incidents"]?["open"]?.intValue == 2)
            #expect(document["incidents"]?["breached"]?.intValue == 2)
            let channels = document["outbox"]?["channels"]?.arrayValue ?? []
            #expect(channels.reduce(0) { $0 + ($1["dead_lettered"]?.intValue ?? 0) } == 1)
        }
    }

    @Test func anUnreadableStoreExits1AndAMistakeExits64() async throws {
        // setup
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("vigil.sqlite")
        try Data(repeating: 0x5a, count: 8192).write(to: garbage)
        // MUT
        let unreadable = try await VigilExecutable.run(["status", "--format", "json"], in: directory)
        let format = try await VigilExecutable.run(["status", "--format", "yaml"], in: directory)
        let missing = try await VigilExecutable.run(["status", "--database", "sqlite:nowhere.sqlite"], in: directory)
        // validate
        #expect(unreadable.status == 1)
        let document = try JSONValue.parse(unreadable.stdout)
        #expect(document["status"]?.stringValue == "unhealthy" && document["database"]?.stringValue == "unavailable")
        #expect(format.status == 64 && format.stderr.contains("unknown --format \"yaml\""))
        #expect(missing.status == 64 && missing.stderr.contains("there is no database"))
    }
}
