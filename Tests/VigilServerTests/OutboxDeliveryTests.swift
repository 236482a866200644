import Foundation
import Logging
import Testing
import VigilConfig
import VigilCore
import VigilHTTP
import VigilJSON
import VigilServer
import VigilStore
import VigilTestSupport

/// Outbox delivery against a real HTTP server on 127.0.0.1, with the wall clock moved by hand.
@Suite struct OutboxDeliveryTests {
    static let settings = DeliverySettings(maxAttempts: 3, baseDelay: .seconds(2), maxDelay: .seconds(60))

    /// A delivery service over `vigil`'s store whose jitter is fixed, so retry times are exact.
    func delivery(
        _ vigil: TestVigil, channels: [ChannelRole: ChannelTarget], transport: any HTTPTransport = CurlHTTPClient()
    ) -> OutboxDelivery<ContinuousClock> {
        var logger = Logger(label: "outbox-test")
        logger.logLevel = .critical
        let clock = vigil.clock
        return OutboxDelivery(
            store: vigil.store, transport: transport, channels: channels, console: vigil.console, settings: Self.settings,
            clock: ContinuousClock(), now: { clock.now }, jitter: { 0 }, logger: logger, worker: "test")
    }

    /// Opens an incident through the desk, which writes one incidents-channel row.
    func open(_ vigil: TestVigil, _ title: String = "Card testing spike") async throws {
        let reply = await vigil.app.desk.handle(
            Invocation(
                platform: "slack", user: Fixtures.ava, channelName: "ts-incidents", channelID: "C1", command: "/incident",
                text: "open sev1 fraud \(title)", responseURL: nil, requestID: UUID().uuidString))
        #expect(reply.visibility == .inChannel)
    }

    @Test func postsSlackJSONToTheChannelsWebhook() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await LocalHTTPServer.withServer { server in
            let delivery = delivery(vigil, channels: [.incidents: .webhook(url: server.url(path: "/services/T0/B0/X"), format: .slack)])
            try await open(vigil)
            #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 1))
            let request = try #require(server.requests.first)
            #expect(request.path == "/services/T0/B0/X")
            #expect(request.header("content-type") == "application/json")
            let json = try JSONValue.parse(request.body)
            #expect(json["text"]?.stringValue?.hasPrefix("INC-1 opened · SEV1 · fraud — Card testing spike") == true)
            // The announcement's section, then its buttons.
            #expect(json["blocks"]?.arrayValue?.map { $0["type"]?.stringValue } == ["section", "actions"])
            #expect(try await vigil.store.outboxHealth() == OutboxHealth(pending: 0, deadLettered: 0))
        }
    }

    @Test func postsMattermostMarkdownToAMattermostWebhook() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await LocalHTTPServer.withServer { server in
            let delivery = delivery(vigil, channels: [.incidents: .webhook(url: server.url(path: "/hooks/abc"), format: .mattermost)])
            try await open(vigil)
            _ = try await delivery.deliverDue()
            let json = try JSONValue.parse(try #require(server.requests.first).body)
            #expect(json["text"]?.stringValue?.hasPrefix("**INC-1** opened") == true)
            #expect(json["blocks"] == nil)
        }
    }

    @Test func retriesAServerErrorWithBackoffThenDelivers() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await LocalHTTPServer.withServer(responses: [.text("oops", status: 500)]) { server in
            let delivery = delivery(vigil, channels: [.incidents: .webhook(url: server.url(path: "/x"), format: .slack)])
            try await open(vigil)
            #expect(try await delivery.deliverDue() == DeliveryPass(rescheduled: 1))
            // First retry: half the 2 s base delay with zero jitter.
            #expect(try await vigil.store.nextOutboxDue() == vigil.clock.now + 1)
            #expect(try await delivery.deliverDue() == DeliveryPass(), "not due yet")
            vigil.clock.advance(by: 1)
            #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 1))
            #expect(server.requests.count == 2)
        }
    }

    @Test func honoursRetryAfterOn429AndHoldsBackTheChannel() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await LocalHTTPServer.withServer(responses: [.text("rate_limited", status: 429, headers: [HTTPHeader("Retry-After", "7")])]) {
            server in
            let delivery = delivery(vigil, channels: [.incidents: .webhook(url: server.url(path: "/x"), format: .slack)])
            try await open(vigil, "First")
            try await open(vigil, "Second")
            #expect(try await delivery.deliverDue() == DeliveryPass(rescheduled: 2))
            #expect(server.requests.count == 1, "the second row waits without being sent")
            #expect(try await vigil.store.nextOutboxDue() == vigil.clock.now + 7)
            vigil.clock.advance(by: 6)
            #expect(try await delivery.deliverDue() == DeliveryPass())
            vigil.clock.advance(by: 1)
            #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 2))
            // Rate limits are not failures: nothing was dead-lettered, and the posts kept their order.
            let titles = server.requests.dropFirst().compactMap { try? JSONValue.parse($0.body)["text"]?.stringValue }
            #expect(titles.map { $0.contains("First") } == [true, false])
        }
    }

    @Test func deadLettersAfterTheBoundedNumberOfFailuresAndStatusShowsIt() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await LocalHTTPServer.withServer(responses: Array(repeating: .text("down", status: 503), count: 3)) { server in
            let delivery = delivery(vigil, channels: [.incidents: .webhook(url: server.url(path: "/x"), format: .slack)])
            try await open(vigil)
            #expect(try await delivery.deliverDue() == DeliveryPass(rescheduled: 1))
            vigil.clock.advance(by: 1)
            #expect(try await delivery.deliverDue() == DeliveryPass(rescheduled: 1))
            vigil.clock.advance(by: 2)
            #expect(try await delivery.deliverDue() == DeliveryPass(deadLettered: 1))
            vigil.clock.advance(by: 3600)
            #expect(try await delivery.deliverDue() == DeliveryPass())
            #expect(server.requests.count == 3)
            #expect(try await vigil.store.outboxHealth() == OutboxHealth(pending: 0, deadLettered: 1))
            let status = await vigil.app.desk.handle(
                Invocation(
                    platform: "slack", user: Fixtures.ava, channelName: "x", channelID: "C1", command: "/incident", text: "status",
                    responseURL: nil, requestID: UUID().uuidString))
            #expect(status.message.plainText.contains("1 dead-lettered"))
        }
    }

    @Test func aPermanentClientErrorIsDeadLetteredAtOnce() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await LocalHTTPServer.withServer(responses: [.text("no_service", status: 404)]) { server in
            let delivery = delivery(vigil, channels: [.incidents: .webhook(url: server.url(path: "/x"), format: .slack)])
            try await open(vigil)
            #expect(try await delivery.deliverDue() == DeliveryPass(deadLettered: 1))
        }
    }

    @Test func anUnreachableWebhookIsRetried() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        let closed = try ReservedLocalPort()
        let delivery = delivery(vigil, channels: [.incidents: .webhook(url: closed.url(path: "/x"), format: .slack)])
        try await open(vigil)
        #expect(try await delivery.deliverDue() == DeliveryPass(rescheduled: 1))
        #expect(try await vigil.store.outboxHealth().pending == 1)
    }

    @Test func pendingRowsResumeAfterARestart() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await open(vigil)
        await vigil.store.close()
        // A new process: a fresh store over the same file, a fresh delivery service.
        let reopened = try SQLiteIncidentStore.open(path: vigil.directory.appendingPathComponent("vigil.sqlite").path)
        try await LocalHTTPServer.withServer { server in
            var logger = Logger(label: "outbox-test")
            logger.logLevel = .critical
            let clock = vigil.clock
            let delivery = OutboxDelivery(
                store: reopened, transport: CurlHTTPClient(),
                channels: [.incidents: .webhook(url: server.url(path: "/x"), format: .slack)], console: vigil.console,
                settings: Self.settings, clock: ContinuousClock(), now: { clock.now }, jitter: { 0 }, logger: logger)
            let pass = try await delivery.deliverDue()
            #expect(pass == DeliveryPass(delivered: 1))
            #expect(server.requests.count == 1)
        }
    }

    @Test func theRunningServiceWakesForANewRow() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await LocalHTTPServer.withServer { server in
            let delivery = delivery(vigil, channels: [.incidents: .webhook(url: server.url(path: "/x"), format: .slack)])
            let running = Task { try await delivery.run() }
            defer { running.cancel() }
            try await open(vigil)
            delivery.notify()
            // Event-driven: the service sleeps up to a minute unless woken, so arrival proves the wake-up.
            let received = try await server.waitForRequests(count: 1, timeout: .seconds(20))
            #expect(received.count == 1)
        }
    }
}
