import Foundation
import Synchronization
import Testing
import VigilCore
import VigilHTTP
import VigilJSON
import VigilServer
import VigilTestSupport

/// Three real `vigil serve` replicas on one PostgreSQL database: commands sent round-robin are
/// all answered and kept, two replicas racing to `ack` one incident cannot both win, and when a
/// replica is SIGKILLed in the middle of posting, the alerts it had leased reach the channel
/// exactly once, within the lease (plus a moment) of the kill.
@Suite(.serialized) struct ReplicaEndToEndTests {
    static let secret = "replica-test-secret"
    /// `lease: 3s` in every replica's config.
    static let lease: TimeInterval = 3
    /// The README's "plus a moment": a replica takes a dead replica's rows when their lease ends
    /// (it sleeps until the earliest lease end, `nextOutboxDue`), then claims and posts them.
    static let moment: TimeInterval = 1
    /// Slack on top of `lease + moment`, for a debug build of three replicas, PostgreSQL and the
    /// test's sink all sharing one machine: the woken replica's timer, its claim transaction and
    /// the HTTP round trip to the sink. Measured from the kill, which comes after the claim, so
    /// the lease's end is at or before `kill + lease` and the bound is not tighter than the README's.
    static let slack: TimeInterval = 1
    /// Incidents opened per wave; one of the first wave's is acknowledged (raced), the rest breach.
    static let openCount = 12
    static let ava = UserRef(id: "U0AVA", name: "ava")
    static let ben = UserRef(id: "U0BEN", name: "ben")

    // MARK: - The webhook sink

    /// Every replica posts to the same sink, each under its own path (`/hook/A/oncall`,
    /// `/hook/B/incidents`, …). Once the first breach alert arrives (at any replica's path), the
    /// sink holds every request on replica A's paths and never answers it: A is stuck in the middle
    /// of a delivery pass with its claimed rows leased, ready to be killed.
    final class Sink: Sendable {
        struct Post: Sendable {
            var replica: String
            var channel: String
            var text: String
            var arrived: Date
            /// Answered `200`; a held request is not (its connection dies with replica A).
            var answered: Bool
        }

        private struct State {
            var posts: [Post] = []
            var holdingA = false
        }

        private let state = Mutex(State())
        static let heldReplica = "A"

        func respond(_ request: LocalHTTPServer.RecordedRequest) -> LocalHTTPServer.CannedResponse {
            let parts = request.path.split(separator: "/").map(String.init)  // ["hook", "A", "oncall"]
            let replica = parts.count > 1 ? parts[1] : "?"
            let channel = parts.count > 2 ? parts[2] : "?"
            let text = (try? JSONValue.parse(request.body)["text"]?.stringValue) ?? request.text
            let isBreach = channel == "oncall" && text.contains("target breached")
            let hold = state.withLock { state in
                if isBreach { state.holdingA = true }
                let hold = state.holdingA && replica == Self.heldReplica
                state.posts.append(Post(replica: replica, channel: channel, text: text, arrived: Date(), answered: !hold))
                return hold
            }
            return hold ? .neverAnswers : .ok
        }

        var posts: [Post] { state.withLock { $0.posts } }
        var held: [Post] { posts.filter { !$0.answered } }
        var answered: [Post] { posts.filter(\.answered) }

        /// The answered breach alerts of incident `number`.
        func answeredBreaches(of number: Int) -> [Post] {
            answered.filter { $0.channel == "oncall" && $0.text.contains("ack target breached") && ReplicaEndToEndTests.incidentNumber(in: $0.text) == number }
        }
    }

    // MARK: - Replicas

    struct Replica {
        var name: String
        var process: ChildProcess
        var port: Int
        var directory: URL
        var client: SlashCommandClient
    }

    enum ReplicaTestError: Error, CustomStringConvertible {
        case didNotStart(String, String)
        case timedOut(String)
        case psql(String)

        var description: String {
            switch self {
            case let .didNotStart(name, output): "replica \(name) did not start:\n\(output)"
            case let .timedOut(what): "timed out waiting for \(what)"
            case let .psql(output): "psql failed: \(output)"
            }
        }
    }

    /// Starts `vigil serve` for replica `name` in its own directory, on `database`, posting to
    /// `sink` under `/hook/<name>/…`; returns once it prints its port.
    static func startReplica(_ name: String, database: String, sink: LocalHTTPServer, root: URL) async throws -> Replica {
        let directory = root.appendingPathComponent(name)
        let playbooks = directory.appendingPathComponent("playbooks")  // none: no step clocks or posts
        try FileManager.default.createDirectory(at: playbooks, withIntermediateDirectories: true)
        // channel_budget: all the posts of the test fit one window, so none is folded or paced.
        let config = """
            listen: 127.0.0.1:0
            database: \(database)?sslmode=disable
            lease: 3s
            commands: \(Fixtures.repositoryRoot.appendingPathComponent("commands").path)
            playbooks: \(playbooks.path)
            slack:
              signing_secret: \(secret)
            channels:
              incidents: {url: "\(sink.url(path: "/hook/\(name)/incidents"))", format: slack}
              oncall: {url: "\(sink.url(path: "/hook/\(name)/oncall"))", format: slack}
              leads: console
            outbox: {channel_budget: 1000}
            severities:
              - {name: sev1, ack: 2s, resolve: 1h}
              - {name: sev2, ack: 1h, resolve: 4h}
            categories:
              - {name: fraud}
            """
        let configPath = directory.appendingPathComponent("vigil.yaml")
        try config.write(to: configPath, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("serve.out")
        let errors = directory.appendingPathComponent("serve.err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = try VigilExecutable.serve(config: configPath, in: directory, output: output, errors: errors)
        for _ in 0..<1200 {  // bounded: 60 s (the replicas migrate one after another)
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: "Vigil listening on http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) {
                    let client = SlashCommandClient(
                        url: "http://127.0.0.1:\(port)/slack/commands", signingSecret: secret, transport: CurlHTTPClient())
                    return Replica(name: name, process: process, port: port, directory: directory, client: client)
                }
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { process.send(SIGKILL) }
        let log = ((try? String(contentsOf: output, encoding: .utf8)) ?? "") + ((try? String(contentsOf: errors, encoding: .utf8)) ?? "")
        throw ReplicaTestError.didNotStart(name, log)
    }

    /// Sends `signal` to `process` and waits, bounded, for it to end; whether it did.
    static func stop(_ process: ChildProcess, with signal: Int32) async throws -> Bool {
        process.send(signal)
        for _ in 0..<400 where process.isRunning { try await Task.sleep(for: .milliseconds(25)) }
        return !process.isRunning
    }

    // MARK: - Helpers

    /// The first incident number in `text` (`INC-42 opened …`, `🚨 INC-42 · SEV1 …`).
    static func incidentNumber(in text: String) -> Int? {
        guard let range = text.range(of: "INC-") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// Polls `condition` every 25 ms until it holds; throws after `timeout`.
    static func waitUntil(_ what: String, timeout: TimeInterval, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try await !condition() {
            guard Date() < deadline else { throw ReplicaTestError.timedOut(what) }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    /// A new database on the shared test server (which blocks, so on a dispatch thread).
    static func newDatabase() async throws -> (url: String, psql: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let server = try PostgresTestServer.shared
                        return (try server.createDatabase(), server.programPath("psql"))
                    })
            }
        }
    }

    /// Runs `statement` with `psql -X -At` (waiting on a dispatch thread); its output lines, fields split on `|`.
    static func psql(_ program: String, _ url: String, _ statement: String) async throws -> [[String]] {
        let result = try await ProgramRun.capture(
            program, ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", statement, url], environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"],
            directory: "/")
        guard result.status == 0 else { throw ReplicaTestError.psql(result.stdout + result.stderr) }
        return result.stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// An answered open: which replica took it, its title and the incident number in its reply.
    struct Opened: Sendable {
        var replica: String
        var title: String
        var number: Int?
        var status: Int
        var reply: String
    }

    /// Opens `openCount` incidents, the i-th on replica `i % 3`, all at once.
    static func openWave(_ wave: Int, on replicas: [Replica], run: String) async -> [Opened] {
        await withTaskGroup(of: Opened.self) { group in
            for index in 0..<openCount {
                let replica = replicas[index % replicas.count]
                group.addTask {
                    let title = "Replica wave \(wave) case \(index)"
                    // The first is the one two replicas race to acknowledge: sev2, so that a slow
                    // machine cannot let its deadline pass before the race.
                    let severity = wave == 0 && index == 0 ? "sev2" : "sev1"
                    let answer = try? await replica.client.send(
                        "open \(severity) fraud \(title)", user: ava, channel: "ts", now: Date(), triggerID: "replica.\(run).\(wave).\(index)")
                    return Opened(
                        replica: replica.name, title: title, number: answer.flatMap { incidentNumber(in: $0.text) },
                        status: answer?.status ?? 0, reply: answer?.text ?? "(no answer)")
                }
            }
            var opened: [Opened] = []
            for await one in group { opened.append(one) }
            return opened
        }
    }

    // MARK: - The test

    @Test(.timeLimit(.minutes(3)))
    func aKilledReplicasLeasedAlertsArriveOnceWithinTheLease() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-replicas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let (database, psqlPath) = try await Self.newDatabase()
        let ledger = Sink()
        let sink = try await LocalHTTPServer.start { ledger.respond($0) }

        // setup: three replicas started together on one database (they migrate it once, in turn)
        let started = await withTaskGroup(of: (String, Result<Replica, any Error>).self) { group in
            for name in ["A", "B", "C"] {
                group.addTask {
                    do { return (name, .success(try await Self.startReplica(name, database: database, sink: sink, root: root))) } catch {
                        return (name, .failure(error))
                    }
                }
            }
            var results: [String: Result<Replica, any Error>] = [:]
            for await (name, result) in group { results[name] = result }
            return results
        }
        let replicas = ["A", "B", "C"].compactMap { try? started[$0]?.get() }
        var failure: (any Error)?
        do {
            for name in ["A", "B", "C"] { _ = try started[name]?.get() }
            try await scenario(replicas, ledger: ledger, database: database, psqlPath: psqlPath)
        } catch {
            failure = error
        }
        // teardown: whatever is still running (only after a failure) is killed; the sink stops
        for replica in replicas where replica.process.isRunning {
            replica.process.send(SIGKILL)
            await replica.process.waitForExit()
        }
        await sink.stop()
        if let failure { throw failure }
    }

    func scenario(_ replicas: [Replica], ledger: Sink, database: String, psqlPath: String) async throws {
        let run = UUID().uuidString.lowercased()
        let (a, b, c) = (replicas[0], replicas[1], replicas[2])

        // MUT: 12 opens round-robin across the replicas, all at once
        var opened = await Self.openWave(0, on: replicas, run: run)
        for one in opened {
            #expect(one.status == 200 && one.number != nil, "open \(one.title) on \(one.replica): HTTP \(one.status) \(one.reply)")
        }
        let numbers = opened.compactMap(\.number)
        try #require(numbers.count == Self.openCount)
        #expect(Set(numbers) == Set(1...Self.openCount), "incident numbers are gap-free across replicas: \(numbers.sorted())")

        // MUT: B and C race to acknowledge one incident at the same moment (its target is 1 h away)
        let raced = try #require(opened.first { $0.title == "Replica wave 0 case 0" }?.number)
        async let ackB = b.client.send("ack INC-\(raced)", user: Self.ava, channel: "ts", now: Date(), triggerID: "replica.\(run).ack.B")
        async let ackC = c.client.send("ack INC-\(raced)", user: Self.ben, channel: "ts", now: Date(), triggerID: "replica.\(run).ack.C")
        let acks = try await [ackB, ackC]
        for ack in acks { #expect(ack.status == 200, "ack INC-\(raced): HTTP \(ack.status) \(ack.text)") }
        let won = acks.filter { $0.text.contains("INC-\(raced) acknowledged") && !$0.text.contains("already") }
        let lost = acks.filter { $0.text.contains("already acknowledged") }
        #expect(won.count == 1 && lost.count == 1, "the racing acks answered: \(acks.map(\.text))")

        // MUT: let the other incidents' 2 s ack clocks breach. The first breach alert makes the
        // sink hold replica A's posts; wait until A is stuck on one. Should A take no post in that
        // wave (B and C claimed every row), open another wave: A's next post of any kind is held.
        var wave = 0
        while ledger.held.isEmpty {
            let waveNumbers = Set(opened.compactMap(\.number)).subtracting([raced])
            try await Self.waitUntil("A to be stuck on a post, or wave \(wave)'s breach alerts", timeout: 20) {
                !ledger.held.isEmpty || waveNumbers.allSatisfy { !ledger.answeredBreaches(of: $0).isEmpty }
            }
            guard ledger.held.isEmpty else { break }
            wave += 1
            try #require(wave < 4, "replica A took no post in \(wave) waves")
            let more = await Self.openWave(wave, on: replicas, run: run)
            for one in more {
                #expect(one.status == 200 && one.number != nil, "open \(one.title) on \(one.replica): HTTP \(one.status) \(one.reply)")
            }
            opened += more
        }

        // What A holds right now: the rows it claimed and has not finished, with their leases.
        let pidA = a.process.pid
        let leasedByA = try await Self.psql(
            psqlPath, database,
            "SELECT id, channel, coalesce(incident, 0), lease_until_ms FROM outbox WHERE state = 'pending' AND claimed_by = 'vigil-\(pidA)'")
        let heldAtKill = ledger.held
        // MUT: SIGKILL replica A while it is stuck in the middle of its delivery pass
        let killedAt = Date()
        kill(pidA, SIGKILL)
        try await Self.waitUntil("replica A to die", timeout: 10) { !a.process.isRunning }
        #expect(a.process.termination == .signalled(SIGKILL))
        #expect(!leasedByA.isEmpty, "A was killed holding no lease (held posts: \(heldAtKill.map(\.text)))")

        // Every unacknowledged incident breaches; wait for each alert, then for the outbox to empty
        // (nothing pending: no further post can come, so a late duplicate would already be here).
        let allNumbers = opened.compactMap(\.number)
        let breaching = Set(allNumbers).subtracting([raced])
        try await Self.waitUntil("every breach alert and an empty outbox", timeout: 60) {
            guard breaching.allSatisfy({ !ledger.answeredBreaches(of: $0).isEmpty }) else { return false }
            return try await Self.psql(psqlPath, database, "SELECT count(*) FROM outbox WHERE state = 'pending'") == [["0"]]
        }
        // Nothing more may arrive while B and C run on (they would post a row only from `pending`).
        let answered = ledger.answered

        // validate: every answered command is in the database, under its number and title
        let stored = try await Self.psql(psqlPath, database, "SELECT number, title FROM incidents ORDER BY number")
        let titles = Dictionary(stored.compactMap { row in Int(row[0]).map { ($0, row[1]) } }, uniquingKeysWith: { first, _ in first })
        #expect(titles.count == opened.count, "\(titles.count) incidents stored for \(opened.count) answered opens")
        for one in opened {
            guard let number = one.number else { continue }
            #expect(titles[number] == one.title, "INC-\(number) (\(one.title), opened on \(one.replica)) is stored as \(titles[number] ?? "nothing")")
        }
        let ackEvents = try await Self.psql(psqlPath, database, "SELECT count(*) FROM events WHERE incident = \(raced) AND kind = 'acknowledged'")
        #expect(ackEvents == [["1"]], "INC-\(raced) has \(ackEvents) acknowledgements")
        let dead = try await Self.psql(psqlPath, database, "SELECT id, channel, last_error FROM outbox WHERE state = 'dead'")
        #expect(dead.isEmpty, "dead-lettered rows: \(dead)")

        // validate: each breach alert answered exactly once, none for the acknowledged incident
        for number in breaching.sorted() {
            let alerts = ledger.answeredBreaches(of: number)
            #expect(alerts.count == 1, "INC-\(number)'s breach alert was delivered \(alerts.count) times: \(alerts.map { "\($0.replica) \($0.arrived)" })")
        }
        #expect(ledger.answeredBreaches(of: raced).isEmpty, "INC-\(raced) was acknowledged in time yet its breach alert was posted")

        // validate: no post at all (lifecycle or alert) answered twice
        let repeats = Dictionary(grouping: answered, by: { "\($0.channel): \($0.text)" }).filter { $0.value.count > 1 }
        #expect(repeats.isEmpty, "posted more than once: \(repeats.map { "\($0.key) ×\($0.value.count) via \($0.value.map(\.replica))" })")

        // validate: what A held when it died arrives via B or C within lease + a moment (+ slack) of the kill
        let bound = killedAt.addingTimeInterval(Self.lease + Self.moment + Self.slack)
        for post in heldAtKill {
            let redelivered = answered.filter { $0.channel == post.channel && $0.text == post.text }
            #expect(redelivered.count == 1, "A's held post was delivered \(redelivered.count) times afterwards: \(post.text)")
            if let first = redelivered.first {
                #expect(first.replica != "A")
                #expect(
                    first.arrived <= bound,
                    "A's held post arrived \(first.arrived.timeIntervalSince(killedAt)) s after the kill (lease \(Self.lease) s): \(post.text)")
            }
        }
        // … and so does every breach alert on a row A had leased, measured from its lease's end
        for row in leasedByA where row.count == 4 && row[1] == "oncall" {
            guard let number = Int(row[2]), let leaseEnd = Int64(row[3]).map({ Date(timeIntervalSince1970: Double($0) / 1000) }) else { continue }
            guard let first = ledger.answeredBreaches(of: number).first else { continue }  // reported above
            #expect(
                first.arrived <= leaseEnd.addingTimeInterval(Self.moment + Self.slack),
                "INC-\(number)'s alert, leased by A until \(leaseEnd), arrived \(first.arrived.timeIntervalSince(leaseEnd)) s after the lease's end")
        }

        // teardown: B and C stop gracefully on SIGTERM
        for replica in [b, c] {
            let stopped = try await Self.stop(replica.process, with: SIGTERM)
            #expect(stopped, "replica \(replica.name) did not stop within 10 s of SIGTERM")
            if stopped { #expect(replica.process.termination == .exited(0)) }
        }
        print(
            "ReplicaEndToEndTests: \(allNumbers.count) incidents in \(wave + 1) wave(s); A held \(heldAtKill.count) post(s) and "
                + "\(leasedByA.count) leased row(s) at the kill; redelivered after "
                + heldAtKill.compactMap { post in
                    answered.first { $0.channel == post.channel && $0.text == post.text }.map { String(format: "%.2f s", $0.arrived.timeIntervalSince(killedAt)) }
                }.joined(separator: ", "))
    }
}
