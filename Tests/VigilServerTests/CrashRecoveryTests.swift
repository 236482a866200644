import Foundation
import Synchronization
import Testing
import VigilChat
import VigilCore
import VigilHTTP
import VigilServer
import VigilStore
import VigilTestSupport

/// A `kill -9` of the server under load loses no command it answered.
@Suite(.serialized) struct CrashRecoveryTests {
    static let secret = "crash-test-secret"

    /// Starts `vigil serve` on a free port and returns the process and its port.
    static func startServer(in directory: URL) async throws -> (ChildProcess, Int) {
        let config = """
            listen: 127.0.0.1:0
            database: sqlite:vigil.sqlite
            commands: \(Fixtures.repositoryRoot.appendingPathComponent("commands").path)
            playbooks: \(Fixtures.repositoryRoot.appendingPathComponent("playbooks").path)
            slack:
              signing_secret: \(secret)
            channels:
              incidents: console
              oncall: console
              leads: console
            """
        let configPath = directory.appendingPathComponent("vigil.yaml")
        try config.write(to: configPath, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("serve.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = try VigilExecutable.serve(config: configPath, in: directory, output: output)
        // The server prints its bound port once it listens; wait for that line (bounded).
        for _ in 0..<600 {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: "Vigil listening on http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return (process, port) }
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.send(SIGTERM)
        throw CrashTestError.serverDidNotStart((try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    enum CrashTestError: Error {
        case serverDidNotStart(String)
    }

    @Test func sigtermStopsTheServerGracefully() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-term-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (process, _) = try await Self.startServer(in: directory)
        defer { if process.isRunning { process.send(SIGKILL) } }
        process.send(SIGTERM)
        // Bounded wait: a server that ignores SIGTERM fails here instead of hanging the suite.
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "vigil serve did not stop within 10 s of SIGTERM")
        if !process.isRunning {
            #expect(process.termination == .exited(0))
        }
    }

    // MARK: - SIGKILL under load

    /// The crash test plans this many `open`s (each with its own trigger ID and title), sends them
    /// from this many concurrent senders, and kills the server once this many commands of any kind
    /// were answered, about halfway through.
    static let openCount = 2_000
    static let senderCount = 32
    static let killAfter = 1_000
    static let ava = UserRef(id: "U0AVA", name: "ava")

    /// One command of the crash test: a slash command under its own trigger ID. After the restart
    /// it is sent again with the same trigger ID and text (and a fresh signature).
    struct CrashCommand: Sendable {
        enum Kind: Sendable {
            case open(title: String)
            case note(incident: Int, text: String)
            case ack(incident: Int)
        }

        /// The wave (`open`) it belongs to.
        var wave: Int
        var trigger: String
        var text: String
        var kind: Kind

        var isOpen: Bool {
            if case .open = kind { return true }
            return false
        }

        /// The `open` of wave `wave`: a title and trigger ID no other command has.
        static func open(_ wave: Int, run: String) -> CrashCommand {
            let title = "Card testing wave \(wave)"
            return CrashCommand(
                wave: wave, trigger: "crash.\(run).\(wave).open", text: "open sev2 fraud \(title)", kind: .open(title: title))
        }

        /// What follows an answered `open` of wave `wave` (its incident is `incident`): a note on
        /// every fourth wave of each sender, then an ack on every other one of those.
        static func followUps(_ wave: Int, incident: Int, run: String) -> [CrashCommand] {
            let turn = wave / CrashRecoveryTests.senderCount  // the sender's 0th, 1st, … wave
            var commands: [CrashCommand] = []
            if turn % 4 == 1 {
                let note = "Wave \(wave) traced to one BIN range"
                commands.append(
                    CrashCommand(
                        wave: wave, trigger: "crash.\(run).\(wave).note", text: "note \(incident) \(note)",
                        kind: .note(incident: incident, text: note)))
            }
            if turn % 8 == 1 {
                commands.append(
                    CrashCommand(wave: wave, trigger: "crash.\(run).\(wave).ack", text: "ack \(incident)", kind: .ack(incident: incident)))
            }
            return commands
        }
    }

    /// What the concurrent senders sent and what the server answered. Once `threshold` commands
    /// are answered it lets no sender start another: each sender has at most one command in
    /// flight then, so the answers never pass `threshold + senderCount - 1`.
    final class CrashLedger: Sendable {
        private struct Entries {
            var attempted: [CrashCommand] = []
            var answered: [(command: CrashCommand, answer: SlashCommandClient.Answer)] = []
            var unexpected: [String] = []
            var stopped = false
        }

        private let entries = Mutex(Entries())
        let threshold: Int

        init(threshold: Int) { self.threshold = threshold }

        /// Records that `command` is about to be sent; `false` (recording nothing) once stopped.
        func attempt(_ command: CrashCommand) -> Bool {
            entries.withLock {
                guard !$0.stopped else { return false }
                $0.attempted.append(command)
                return true
            }
        }

        /// Records an answer; `true` for the one that reaches the threshold, which stops the senders.
        func answer(_ command: CrashCommand, _ answer: SlashCommandClient.Answer) -> Bool {
            entries.withLock {
                $0.answered.append((command, answer))
                guard $0.answered.count == threshold else { return false }
                $0.stopped = true
                return true
            }
        }

        /// Records an answer no command of this test should get.
        func unexpected(_ command: CrashCommand, _ answer: SlashCommandClient.Answer) {
            entries.withLock {
                $0.unexpected.append("\(command.text) → HTTP \(answer.status) \(answer.responseType ?? "-"): \(answer.text)")
            }
        }

        var isStopped: Bool { entries.withLock { $0.stopped } }
        var attempted: [CrashCommand] { entries.withLock { $0.attempted } }
        var answered: [(command: CrashCommand, answer: SlashCommandClient.Answer)] { entries.withLock { $0.answered } }
        var unexpectedAnswers: [String] { entries.withLock { $0.unexpected } }
    }

    /// The answers to the resent commands, by trigger ID.
    final class ResentAnswers: Sendable {
        private let answers = Mutex<[String: SlashCommandClient.Answer]>([:])
        func record(_ trigger: String, _ answer: SlashCommandClient.Answer?) {
            answers.withLock { $0[trigger] = answer }
        }
        var all: [String: SlashCommandClient.Answer] { answers.withLock { $0 } }
    }

    /// The incident number a reply starts with (`INC-42 opened …`).
    static func incidentNumber(in reply: String) -> Int? {
        guard reply.hasPrefix("INC-") else { return nil }
        return Int(reply.dropFirst("INC-".count).prefix { $0.isNumber })
    }

    /// Sends `command` (its original trigger ID and text, signed now) until an answer comes, at
    /// most three times: a repeat is safe, being the same request. `nil` when none came.
    static func resend(_ command: CrashCommand, through client: SlashCommandClient) async -> SlashCommandClient.Answer? {
        for _ in 0..<3 {
            if let answer = try? await client.send(command.text, user: ava, channel: "ts", now: Date(), triggerID: command.trigger) {
                return answer
            }
        }
        return nil
    }

    /// Expects `store` to hold what each command did: an `open` as the incident `number` with its
    /// title, a note or an ack exactly once in its incident's events.
    static func expectHeld(
        _ commands: [(command: CrashCommand, number: Int?)], in store: SQLiteIncidentStore, _ moment: String
    ) async throws {
        for (command, number) in commands {
            switch command.kind {
            case .open(let title):
                guard let number else {
                    Issue.record("\(moment): no incident number for \(command.trigger)")
                    continue
                }
                let incident = try await store.incident(number)
                #expect(incident?.title == title, "\(moment): INC-\(number) of \(command.trigger) is \(incident?.title ?? "missing")")
            case .note(let incident, let text):
                let notes = try await store.events(of: incident).filter { $0.kind == .noted && $0.payload["text"] == text }
                #expect(notes.count == 1, "\(moment): the note \(command.trigger) is on INC-\(incident) \(notes.count) times")
            case .ack(let incident):
                let acks = try await store.events(of: incident).filter { $0.kind == .acknowledged }
                #expect(acks.count == 1, "\(moment): INC-\(incident) was acknowledged \(acks.count) times")
            }
        }
    }

    /// Sends `signal` to `process` and waits, bounded, for it to end; whether it did.
    static func stop(_ process: ChildProcess, with signal: Int32) async throws -> Bool {
        process.send(signal)
        // Bounded: a server that ignores the signal fails the test instead of hanging the suite.
        for _ in 0..<400 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return !process.isRunning
    }

    @Test func everyAnsweredCommandSurvivesSIGKILL() async throws {
        // setup
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.sqlite").path
        let run = UUID().uuidString.lowercased()
        let (process, port) = try await Self.startServer(in: directory)
        defer { if process.isRunning { process.send(SIGKILL) } }
        let client = SlashCommandClient(
            url: "http://127.0.0.1:\(port)/slack/commands", signingSecret: Self.secret,
            transport: CurlHTTPClient(configuration: .init(laneCount: Self.senderCount)))
        let ledger = CrashLedger(threshold: Self.killAfter)
        let pid = process.pid

        // MUT: 2,000 opens (and notes and acks on answered ones) from 32 concurrent senders.
        // Once 1,000 commands are answered no sender starts another and the server gets SIGKILL
        // with the other senders' commands in flight. A sender stops at its first failed send.
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<Self.senderCount {
                group.addTask {
                    for wave in stride(from: sender, to: Self.openCount, by: Self.senderCount) {
                        var commands = [CrashCommand.open(wave, run: run)]
                        while !commands.isEmpty {
                            let command = commands.removeFirst()
                            guard ledger.attempt(command) else { return }
                            guard
                                let answer = try? await client.send(
                                    command.text, user: Self.ava, channel: "ts", now: Date(), triggerID: command.trigger)
                            else { return }  // the server is gone
                            guard answer.status == 200, answer.responseType == "in_channel",
                                !command.isOpen || Self.incidentNumber(in: answer.text) != nil
                            else {
                                ledger.unexpected(command, answer)
                                return
                            }
                            if ledger.answer(command, answer) { kill(pid, SIGKILL) }
                            if command.isOpen, let number = Self.incidentNumber(in: answer.text) {
                                commands += CrashCommand.followUps(wave, incident: number, run: run)
                            }
                        }
                    }
                }
            }
        }
        // Had the threshold not been reached the server would still run; the checks below fail then.
        if !ledger.isStopped { kill(pid, SIGKILL) }
        await process.waitForExit()

        // validate: killed by our SIGKILL mid-stream, not before the threshold, not after the last command
        #expect(process.termination == .signalled(SIGKILL))
        let answered = ledger.answered
        let attempted = ledger.attempted
        #expect(ledger.unexpectedAnswers.isEmpty, "\(ledger.unexpectedAnswers.prefix(5))")
        #expect(answered.count >= Self.killAfter)
        #expect(answered.count < Self.openCount, "the kill must land while commands are still arriving")
        #expect(answered.count < Self.killAfter + Self.senderCount, "at most one command per sender was in flight at the kill")
        let firstAnswers = Dictionary(uniqueKeysWithValues: answered.map { ($0.command.trigger, $0.answer) })

        // validate: every answered command is in the database file as the kill left it
        let crashed = try SQLiteIncidentStore.open(path: database)
        try await Self.expectHeld(
            answered.map { ($0.command, Self.incidentNumber(in: $0.answer.text)) }, in: crashed, "after the kill")
        await crashed.close()

        // MUT: restart on the same database and send every trigger again: each attempted command
        // (answered or not) and the opens never sent, each sender keeping a wave's order.
        let (restarted, restartedPort) = try await Self.startServer(in: directory)
        defer { if restarted.isRunning { restarted.send(SIGKILL) } }
        let resendClient = SlashCommandClient(
            url: "http://127.0.0.1:\(restartedPort)/slack/commands", signingSecret: Self.secret,
            transport: CurlHTTPClient(configuration: .init(laneCount: Self.senderCount)))
        let followUps = Dictionary(grouping: attempted.filter { !$0.isOpen }, by: \.wave)
        let resent = ResentAnswers()
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<Self.senderCount {
                group.addTask {
                    for wave in stride(from: sender, to: Self.openCount, by: Self.senderCount) {
                        for command in [CrashCommand.open(wave, run: run)] + (followUps[wave] ?? []) {
                            resent.record(command.trigger, await Self.resend(command, through: resendClient))
                        }
                    }
                }
            }
        }
        let stopped = try await Self.stop(restarted, with: SIGTERM)
        #expect(stopped, "the restarted vigil serve did not stop within 20 s of SIGTERM")

        // validate: every resend is answered; an answered command gets its first reply again
        let resends = resent.all
        var numbers: [Int: Int] = [:]  // wave → its incident, from the resent open's reply
        var resentCommands: [(command: CrashCommand, number: Int?)] = []
        for command in (0..<Self.openCount).map({ CrashCommand.open($0, run: run) }) + attempted.filter({ !$0.isOpen }) {
            guard let answer = resends[command.trigger] else {
                Issue.record("no answer to the resent \(command.trigger)")
                continue
            }
            #expect(answer.status == 200 && answer.responseType == "in_channel", "resent \(command.text): \(answer.text)")
            if let first = firstAnswers[command.trigger] {
                #expect(answer.text == first.text, "the resent \(command.trigger) got another reply")
            }
            let number = command.isOpen ? Self.incidentNumber(in: answer.text) : nil
            if command.isOpen { numbers[command.wave] = number }
            resentCommands.append((command, number))
        }
        #expect(Set(numbers.values).count == Self.openCount, "two triggers answered with one incident, or some with none")

        // validate: one incident per trigger, every command once, every chain intact
        let store = try SQLiteIncidentStore.open(path: database)
        let incidents = try await store.incidents(matching: IncidentFilter(limit: 1_000_000))
        #expect(incidents.count == Self.openCount, "\(incidents.count) incidents for \(Self.openCount) triggers")
        let byTitle = Dictionary(grouping: incidents, by: \.title)
        for wave in 0..<Self.openCount {
            let found = byTitle["Card testing wave \(wave)"] ?? []
            #expect(found.count == 1, "wave \(wave) has \(found.count) incidents")
            if found.count == 1 {
                #expect(
                    found[0].number == numbers[wave],
                    "wave \(wave): stored as INC-\(found[0].number), resend answered \(numbers[wave] ?? 0)")
            }
        }
        try await Self.expectHeld(resentCommands, in: store, "after the resends")
        try await Self.expectHeld(
            answered.map { ($0.command, Self.incidentNumber(in: $0.answer.text)) }, in: store, "answered before the kill, after the resends"
        )
        let totalNotes = resentCommands.count { if case .note = $0.command.kind { true } else { false } }
        let totalAcks = resentCommands.count { if case .ack = $0.command.kind { true } else { false } }
        var notes = 0, acks = 0
        for incident in incidents {
            let events = try await store.events(of: incident.number)
            #expect(EventChain.verify(events), "INC-\(incident.number): its event chain does not verify")
            #expect(
                events.count == incident.lastSequence && events.last?.hash == incident.lastHash,
                "INC-\(incident.number): the incident row does not end its chain")
            notes += events.count { $0.kind == .noted }
            acks += events.count { $0.kind == .acknowledged }
        }
        #expect(notes == totalNotes && acks == totalAcks, "\(notes) notes and \(acks) acks stored for \(totalNotes) and \(totalAcks) sent")
        await store.close()
    }
}
