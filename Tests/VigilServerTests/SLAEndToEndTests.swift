import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilHTTP
import VigilJSON
import VigilServer
import VigilTestSupport

/// The running scheduler against real time: a breach alert arrives once, promptly, naming who
/// is on call; and after a restart it arrives once, marked late.
@Suite(.serialized) struct SLAEndToEndTests {
    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.severities = [Severity(name: "sev1", ack: .seconds(2), resolve: .seconds(3600))]
        policy.oncall = [OncallSchedule(
            // One member: this test runs on the real clock, so a longer rotation would name whoever's week it is.
            name: "ts-primary", members: [UserRef(id: "U0AVA", name: "ava")], shift: .seconds(7 * 86_400),
            handoff: DateComponents(year: 2026, month: 11, day: 2, hour: 9, minute: 0), timeZone: TimeZone(identifier: "America/Los_Angeles")!)]
        policy.escalationLevels = [EscalationLevel(name: "responders", notify: [.schedule("ts-primary")]), EscalationLevel(name: "lead")]
        return policy
    }()

    func open(_ vigil: TestVigil) async {
        _ = await vigil.app.desk.handle(Invocation(
            platform: "slack", user: Fixtures.ben, channelName: "ts", channelID: "C1", command: "/incident",
            text: "open sev1 fraud Card testing spike", responseURL: nil, requestID: UUID().uuidString))
    }

    /// Runs the app's scheduler and delivery services until the returned task is cancelled.
    func runServices(_ vigil: TestVigil) -> Task<Void, Never> {
        Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await vigil.app.scheduler.run() }
                group.addTask { try? await vigil.app.delivery.run() }
            }
        }
    }

    func alerts(_ server: LocalHTTPServer) -> [String] {
        server.requests.filter { $0.path == "/oncall" }.compactMap { try? JSONValue.parse($0.body)["text"]?.stringValue }
    }

    @Test func exactlyOneBreachAlertArrivesWithinASecondNamingOnCall() async throws {
        try await LocalHTTPServer.withServer { server in
            let vigil = try TestVigil(
                channels: [.oncall: .webhook(url: server.url(path: "/oncall"), format: .slack), .incidents: .console],
                transport: CurlHTTPClient(), policy: Self.policy, realTime: true)
            defer { vigil.cleanUp() }
            let services = runServices(vigil)
            defer { services.cancel() }
            let opened = Date()
            await open(vigil)
            let deadline = try #require(try await vigil.store.clocks(of: 1).first { $0.name == "ack" }).dueAt
            #expect(abs(deadline.timeIntervalSince(opened)) < 2.5)
            _ = try await server.waitForRequests(count: 1, timeout: .seconds(10))
            let arrived = Date()
            #expect(arrived.timeIntervalSince(deadline) < 1.0, "alert arrived \(arrived.timeIntervalSince(deadline)) s after the deadline")
            #expect(arrived >= deadline)
            // Stay a while longer: nothing else may arrive (no repeat is configured).
            try await Task.sleep(for: .milliseconds(1500))
            let texts = alerts(server)
            #expect(texts.count == 1)
            let alert = try #require(texts.first)
            #expect(alert.contains("INC-1 · SEV1 · fraud — Card testing spike · ack target breached"))
            #expect(alert.contains("Act now: @ava · /incident ack INC-1"), "names who is on call and how to act: \(alert)")
            #expect(!alert.contains("late by"))
        }
    }

    @Test func aDeadlinePassedWhileStoppedFiresOnceAfterRestartMarkedLate() async throws {
        try await LocalHTTPServer.withServer { server in
            let channels: [ChannelRole: ChannelTarget] = [.oncall: .webhook(url: server.url(path: "/oncall"), format: .slack), .incidents: .console]
            let first = try TestVigil(channels: channels, transport: CurlHTTPClient(), policy: Self.policy, realTime: true)
            defer { first.cleanUp() }
            // Opened with nothing running, then "down" past the deadline.
            await open(first)
            await first.store.close()
            try await Task.sleep(for: .milliseconds(3500))
            #expect(server.requests.isEmpty)
            let restarted = try TestVigil(
                channels: channels, transport: CurlHTTPClient(), policy: Self.policy, realTime: true, directory: first.directory)
            let services = runServices(restarted)
            defer { services.cancel() }
            _ = try await server.waitForRequests(count: 1, timeout: .seconds(10))
            try await Task.sleep(for: .milliseconds(1000))
            let texts = alerts(server)
            #expect(texts.count == 1)
            #expect(texts.first?.contains("ack target breached") == true)
            #expect(texts.first?.contains("alert late by") == true)
            let breached = try await restarted.store.events(of: 1).filter { $0.kind == .clockBreached }
            #expect(breached.count == 1)
            #expect(Int(breached.first?.payload["late_ms"] ?? "0")! > 1000)
        }
    }
}
