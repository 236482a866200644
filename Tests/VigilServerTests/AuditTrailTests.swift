import Foundation
import Logging
import Testing
import VigilCore
import VigilJSON
import VigilServer
import VigilTestSupport

@testable import VigilStore

/// `vigil audit verify` and `vigil audit export` on SQLite and PostgreSQL alike: incidents made
/// through the command desk, then one event edited behind Vigil's back with plain SQL.
@Suite struct AuditTrailTests {
    enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// A fresh store of `kind`, its URL for `--database`, and a way to run SQL on it outside any
    /// unit of work (as someone with a database shell would).
    struct Database {
        let store: any IncidentStore
        let url: String
        /// A directory of the test's own with no `vigil.yaml`, for running the executable in.
        let directory: URL

        func tamper(_ sql: String) async throws {
            switch store {
            case let sqlite as SQLiteIncidentStore:
                try await sqlite.perform("tamper") { database in try database.run(sql) }
            case let postgres as PostgresIncidentStore:
                let logger = postgres.logger
                try await postgres.writing("tamper") { connection in
                    try await connection.execute(sql, logger: logger)
                    return ((), true)
                }
            default:
                throw StoreError(.failure, "no tampering with \(type(of: store))")
            }
        }
    }

    static func withDatabase(_ kind: Kind, _ body: (Database) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database: Database
        switch kind {
        case .sqlite:
            let path = directory.appendingPathComponent("vigil.sqlite").path
            database = Database(store: try SQLiteIncidentStore.open(path: path), url: "sqlite:\(path)", directory: directory)
        case .postgres:
            // Starting the server and `createdb` block: on a dispatch thread, off the cooperative pool.
            let (configuration, url) = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(
                        with: Result {
                            let server = try PostgresTestServer.shared
                            let name = "audit_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                            _ = try server.createDatabase(name)
                            return (
                                PostgresStoreConfiguration(
                                    host: server.host, port: server.port, username: server.user, database: name, tls: .disable,
                                    maxConnections: 3),
                                server.url(database: name)
                            )
                        })
                }
            }
            let store = try await PostgresIncidentStore.open(configuration)
            store.startRunning()
            database = Database(store: store, url: url, directory: directory)
        }
        do {
            try await body(database)
        } catch {
            await StoreOpener.close(database.store)
            throw error
        }
        await StoreOpener.close(database.store)
    }

    /// INC-1 opened, acknowledged, noted and resolved; INC-2 restricted and open; INC-3 open:
    /// all through the command desk, as chat commands.
    static func seed(_ store: any IncidentStore) async throws {
        let catalog = PlaybookCatalog(try Fixtures.shippedPlaybooks())
        let clock = ManualWallClock(Fixtures.t0)
        let desk = CommandDesk(
            store: store, parser: try Fixtures.parser(), catalog: catalog, now: { clock.now }, outboxWritten: {},
            logger: Logger(label: "vigil-test"))
        for text in [
            "open sev1 fraud Card testing spike", "open sev2 child-safety Reported upload", "ack INC-1", "note INC-1 blocked the BIN range",
            "open sev3 moderation Brigading", "resolve INC-1 BIN range blocked",
        ] {
            clock.advance(by: 60)
            let invocation = Invocation(
                platform: "slack", user: Fixtures.dee, channelName: "ts-incidents", channelID: "C1", command: "/incident", text: text,
                responseURL: nil, requestID: UUID().uuidString)
            let reply = await desk.handle(invocation).message.plainText
            #expect(!reply.contains("failed") && !reply.contains("Unknown"), "\(text): \(reply)")
        }
    }

    static func audit(_ store: any IncidentStore) throws -> AuditTrail {
        AuditTrail(store: store, policy: Fixtures.policy, catalog: PlaybookCatalog(try Fixtures.shippedPlaybooks()))
    }

    @Test("verify passes on real commands' history, then names the event an UPDATE edited", arguments: Kind.allCases)
    func verifyFindsAnEditedEvent(kind: Kind) async throws {
        try await Self.withDatabase(kind) { database in
            // setup
            try await Self.seed(database.store)
            let audit = try Self.audit(database.store)
            let events = try await (1...3).asyncMap { try await database.store.events(of: $0) }
            let verified = try await audit.verify(incident: nil)
            #expect(verified == AuditVerification(incidents: 3, events: events.map(\.count).reduce(0, +), firstBreak: nil))
            #expect(audit.summary(verified, incident: nil).hasPrefix("ok: 3 incidents and \(verified.events) events re-hashed"))
            let note = try #require(events[0].first { $0.kind == .noted })

            // MUT
            try await database.tamper(
                #"UPDATE events SET payload = '{"text":"nothing to see"}' WHERE incident = 1 AND sequence = \#(note.sequence)"#)

            // validate
            let found = try await audit.verify(incident: nil)
            let broken = try #require(found.firstBreak)
            #expect(broken.incident == 1 && broken.sequence == note.sequence && broken.reason == .contentEdited)
            #expect(broken.foundHash == note.hash)
            #expect(broken.expectedHash != note.hash && broken.expectedHash.count == 64)
            #expect(found.incidents == 1)
            let summary = audit.summary(found, incident: nil)
            #expect(summary.hasPrefix("broken: INC-1 at event \(note.sequence)\n"))
            #expect(summary.contains("expected hash: \(broken.expectedHash)"))
            #expect(summary.contains("found hash:    \(note.hash)"))
            #expect(summary.contains("it was edited after it was written"))
            // The other incidents still verify on their own; an unknown one is a usage error.
            #expect(try await audit.verify(incident: 2).firstBreak == nil)
            await #expect(throws: UserError("There is no INC-9 in this database.")) { try await audit.verify(incident: 9) }

            // The executable reads the same database and exits 1 naming the break.
            let directory = database.directory
            let run = try await VigilExecutable.run(["audit", "verify", "--database", database.url], in: directory)
            #expect(run.status == 1, "\(run.stderr)")
            #expect(run.stdout.hasPrefix("broken: INC-1 at event \(note.sequence)\n"))
            #expect(run.stdout.contains("found hash:    \(note.hash)"))
            let one = try await VigilExecutable.run(["audit", "verify", "--database", database.url, "--incident", "INC-3"], in: directory)
            #expect(one.status == 0, "\(one.stderr)")
            #expect(one.stdout.hasPrefix("ok: INC-3: "))
        }
    }

    @Test("events removed after the last one the incident row records are found", arguments: Kind.allCases)
    func verifyFindsMissingEvents(kind: Kind) async throws {
        try await Self.withDatabase(kind) { database in
            try await Self.seed(database.store)
            let last = try #require(try await database.store.incident(1)).lastSequence

            try await database.tamper("DELETE FROM events WHERE incident = 1 AND sequence = \(last)")

            let broken = try #require(try await Self.audit(database.store).verify(incident: 1).firstBreak)
            #expect(broken.sequence == last && broken.reason == .lastEventMismatch(recorded: last, stored: last - 1))
        }
    }

    @Test("the export holds the whole timeline with its hashes, and says whether the chain verifies")
    func export() async throws {
        try await Self.withDatabase(.sqlite) { database in
            // setup
            try await Self.seed(database.store)
            let audit = try Self.audit(database.store)
            let stored = try await database.store.events(of: 1)
            let incident = try #require(try await database.store.incident(1))

            // MUT
            let (text, chainBreak) = try await audit.export(incident: 1, now: Fixtures.t0 + 3600)

            // validate
            #expect(chainBreak == nil)
            let document = try JSONValue.parse(text)
            #expect(document["schema"]?.stringValue == AuditExport.schema)
            #expect(document["id"]?.stringValue == "INC-1")
            #expect(document["severity"]?.stringValue == "sev1")
            #expect(document["category"]?.stringValue == "fraud")
            #expect(
                document["type"]?.stringValue
                    == incident.playbook.flatMap { id in
                        try? Fixtures.shippedPlaybooks().first { $0.id == id }?.type
                    })
            #expect(document["state"]?.stringValue == "resolved")
            #expect(document["known_at"]?.stringValue == ISOTimestamp.string(incident.knownAt))
            #expect(document["opened_at"]?.stringValue == "2026-11-28T21:41:00.000Z")
            #expect(document["resolved_at"]?.stringValue == ISOTimestamp.string(try #require(incident.resolvedAt)))
            #expect(document["chain"] == ["verified": true, "break": nil])
            let events = try #require(document["events"]?.arrayValue)
            #expect(events.count == stored.count)
            for (json, event) in zip(events, stored) {
                #expect(json["sequence"]?.intValue == Int64(event.sequence))
                #expect(json["kind"]?.stringValue == event.kind.rawValue)
                #expect(json["actor"] == ["id": "slack:U0DEE", "name": "dee"])
                #expect(json["at"]?.stringValue == ISOTimestamp.string(event.at))
                #expect(json["previous_hash"]?.stringValue == event.previousHash)
                #expect(json["hash"]?.stringValue == event.hash)
                let payload = try #require(json["payload"]?.objectMembers)
                #expect(Dictionary(uniqueKeysWithValues: payload.map { ($0.0, $0.1.stringValue ?? "") }) == event.payload)
            }
            #expect(events.last?["hash"]?.stringValue == incident.lastHash)
            // Restricted incidents are exported in full: an operator's tool, not a chat view.
            let restricted = try JSONValue.parse(try await audit.export(incident: 2, now: Fixtures.t0).json)
            #expect(restricted["restricted"]?.boolValue == true)
            #expect(restricted["title"]?.stringValue == "Reported upload")

            // An edit shows in the chain field, with the break's hashes.
            let note = try #require(stored.first { $0.kind == .noted })
            try await database.tamper(#"UPDATE events SET payload = '{"text":"edited"}' WHERE incident = 1 AND kind = 'noted'"#)
            let (edited, broken) = try await audit.export(incident: 1, now: Fixtures.t0)
            #expect(broken?.sequence == note.sequence)
            let chain = try JSONValue.parse(edited)["chain"]
            #expect(chain?["verified"]?.boolValue == false)
            #expect(chain?["break"]?["sequence"]?.intValue == Int64(note.sequence))
            #expect(chain?["break"]?["reason"]?.stringValue == "content_edited")
            #expect(chain?["break"]?["found_hash"]?.stringValue == note.hash)
            #expect(chain?["break"]?["expected_hash"]?.stringValue == broken?.expectedHash)
        }
    }

    @Test("vigil audit exits 0 when the record verifies, 64 for an unknown incident or format, and writes --output")
    func commandLine() async throws {
        try await Self.withDatabase(.sqlite) { database in
            try await Self.seed(database.store)
            let directory = database.directory
            func vigil(_ arguments: String...) async throws -> (status: Int32, stdout: String, stderr: String) {
                try await VigilExecutable.run(["audit"] + arguments + ["--database", database.url], in: directory)
            }

            let verified = try await vigil("verify")
            #expect(verified.status == 0, "\(verified.stderr)")
            #expect(verified.stdout.hasPrefix("ok: 3 incidents and "))
            #expect(verified.stdout.hasSuffix(" events re-hashed; every chain verifies\n"))

            let unknown = try await vigil("verify", "--incident", "INC-9")
            #expect(unknown.status == 64)
            #expect(unknown.stderr == "vigil audit verify: There is no INC-9 in this database.\n")
            let malformed = try await vigil("export", "--incident", "ticket-9")
            #expect(malformed.status == 64)
            #expect(malformed.stderr.contains("“ticket-9” is not an incident ID."))
            let xml = try await vigil("export", "--incident", "INC-1", "--format", "xml")
            #expect(xml.status == 64)
            #expect(xml.stderr == "vigil audit export: unknown --format \"xml\"; use json\n")
            let missing = try await VigilExecutable.run(
                ["audit", "verify", "--database", "sqlite:/nonexistent/vigil.sqlite"], in: directory)
            #expect(missing.status == 64)
            #expect(missing.stderr.contains("there is no database at /nonexistent/vigil.sqlite"))

            let printed = try await vigil("export", "--incident", "INC-1", "--format", "json")
            #expect(printed.status == 0, "\(printed.stderr)")
            #expect(try JSONValue.parse(printed.stdout)["id"]?.stringValue == "INC-1")

            // Written by the store that stayed open while the executable came and went: its WAL
            // must still be the one the executable reads (the tools run beside a live server).
            try await database.tamper(#"UPDATE events SET payload = '{"text":"edited"}' WHERE incident = 1 AND kind = 'noted'"#)
            #expect(try await database.store.events(of: 1).contains { $0.payload["text"] == "edited" })
            let written = try await vigil("export", "--incident", "1", "--output", "inc-1.json")
            #expect(written.status == 0, "\(written.stderr)")
            #expect(written.stdout.isEmpty)
            #expect(written.stderr.hasPrefix("warning: INC-1's chain is broken: event "))
            let file = try String(contentsOf: directory.appendingPathComponent("inc-1.json"), encoding: .utf8)
            #expect(try JSONValue.parse(file)["chain"]?["verified"]?.boolValue == false)
            #expect(try await vigil("verify").status == 1)
        }
    }
}

extension ClosedRange where Bound == Int {
    /// `map` with an async transform, in order.
    fileprivate func asyncMap<T>(_ transform: (Int) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for value in self { results.append(try await transform(value)) }
        return results
    }
}
