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
    static func startServer(in directory: URL) async throws -> (Process, Int) {
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
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = try VigilExecutable.url()
        process.arguments = ["serve", "--config", configPath.path]
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
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
        process.terminate()
        throw CrashTestError.serverDidNotStart((try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// The commands the server answered, collected from concurrent senders.
    final class AnsweredCommands: Sendable {
        private let list = Mutex<[(trigger: String, title: String, text: String)]>([])

        /// Records one answer and returns how many there are now.
        func add(trigger: String, title: String, text: String) -> Int {
            list.withLock {
                $0.append((trigger, title, text))
                return $0.count
            }
        }

        var all: [(trigger: String, title: String, text: String)] { list.withLock { $0 } }
    }

    enum CrashTestError: Error {
        case serverDidNotStart(String)
    }

    @Test func sigtermStopsTheServerGracefully() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-term-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (process, _) = try await Self.startServer(in: directory)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        kill(process.processIdentifier, SIGTERM)
        // Bounded wait: a server that ignores SIGTERM fails here instead of hanging the suite.
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "vigil serve did not stop within 10 s of SIGTERM")
        if !process.isRunning {
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
        }
    }

    @Test func everyAnsweredCommandSurvivesSIGKILL() async throws {
        // setup
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (process, port) = try await Self.startServer(in: directory)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let client = SlashCommandClient(
            url: "http://127.0.0.1:\(port)/slack/commands", signingSecret: Self.secret,
            transport: CurlHTTPClient(configuration: .init(laneCount: 16)))
        let answered = AnsweredCommands()
        let killAfter = 150
        let pid = process.processIdentifier

        // MUT: 600 commands from 16 concurrent senders; SIGKILL once 150 have been answered.
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<16 {
                group.addTask {
                    for index in stride(from: sender, to: 600, by: 16) {
                        let trigger = "crash.\(index).\(UUID().uuidString)"
                        let title = "Card testing wave \(index)"
                        guard let answer = try? await client.send(
                            "open sev2 fraud \(title)", user: UserRef(id: "U0AVA", name: "ava"), channel: "ts",
                            now: Date(), triggerID: trigger),
                            answer.status == 200, answer.responseType == "in_channel"
                        else { return }  // the server is gone
                        if answered.add(trigger: trigger, title: title, text: answer.text) == killAfter { kill(pid, SIGKILL) }
                    }
                }
            }
        }
        process.waitUntilExit()

        // validate
        #expect(process.terminationReason == .uncaughtSignal)
        let replies = answered.all
        #expect(replies.count >= killAfter)
        #expect(replies.count < 600, "the kill must land while commands are still arriving")
        let store = try SQLiteIncidentStore.open(path: directory.appendingPathComponent("vigil.sqlite").path)
        for reply in replies {
            let stored = try await store.storedReply(requestID: "slack:\(reply.trigger)")
            #expect(stored != nil, "answered but lost: \(reply.trigger)")
            let number = try #require(Int(reply.text.dropFirst("INC-".count).prefix { $0.isNumber }))
            let incident = try await store.incident(number)
            #expect(incident?.title == reply.title)
            #expect(EventChain.verify(try await store.events(of: number)))
        }
        await store.close()
    }
}
