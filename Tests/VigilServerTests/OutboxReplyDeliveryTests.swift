import Foundation
import Logging
import Synchronization
import Testing
import VigilChat
import VigilCore
import VigilHTTP
import VigilJSON
import VigilStore
import VigilTestSupport

@testable import VigilServer

/// Deferred replies as outbox rows: queued by ``LaterReplySender``, sent by the delivery service
/// to their request's own address, against a real HTTP server on 127.0.0.1 with the wall clock
/// moved by hand.
@Suite struct OutboxReplyDeliveryTests {
    static let body = #"{"content":"**INC-1** opened · SEV1 · fraud — Slow day","allowed_mentions":{"parse":[]}}"#

    static var quietLogger: Logger {
        var logger = Logger(label: "outbox-reply-test")
        logger.logLevel = .critical
        return logger
    }

    func delivery(
        _ vigil: TestVigil, transport: any HTTPTransport = CurlHTTPClient(), logger: Logger = quietLogger
    ) -> OutboxDelivery<ContinuousClock> {
        let clock = vigil.clock
        return OutboxDelivery(
            store: vigil.store, transport: transport, channels: [:], console: vigil.console, settings: OutboxDeliveryTests.settings,
            clock: ContinuousClock(), now: { clock.now }, jitter: { 0 }, logger: logger, worker: "test")
    }

    /// Queues a Discord edit of `@original` at `url` through the sender the app uses.
    func queueReply(_ vigil: TestVigil, url: String, platform: String = "discord", logger: Logger = quietLogger) async throws {
        let clock = vigil.clock
        let sender = LaterReplySender(store: vigil.store, outboxWritten: {}, now: { clock.now }, logger: logger)
        await sender.send(
            LaterReply(method: platform == "discord" ? "PATCH" : "POST", url: url, body: try JSONValue.parse(Self.body)), platform: platform
        )
    }

    /// The `last_error` of outbox row `id`.
    func lastError(_ vigil: TestVigil, _ id: Int64) async throws -> String? {
        try await vigil.store.read { database in
            try database.queryFirst("SELECT last_error FROM outbox WHERE id = ?", [.integer(id)]) { $0.text(0) } ?? nil
        }
    }

    @Test func theSenderQueuesADurableRowWithThePlatformsWindow() async throws {
        // setup
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }

        // MUT
        try await queueReply(vigil, url: "https://discord.com/api/v10/webhooks/1/tok/messages/@original")
        try await queueReply(vigil, url: "https://hooks.slack.com/commands/T1/1/x", platform: "slack")
        try await queueReply(vigil, url: "https://example.com/x", platform: "mattermost")

        // validate
        let rows = try await vigil.store.claimOutbox(now: vigil.clock.now, limit: 10, worker: "w", leaseUntil: vigil.clock.now + 60)
        let destinations = rows.compactMap(\.item.destination)
        #expect(destinations.map(\.platform) == ["discord", "slack", "mattermost"])
        #expect(destinations.map { $0.expiresAt.timeIntervalSince(vigil.clock.now) } == [900, 1800, 900])
        #expect(destinations.map(\.method) == ["PATCH", "POST", "POST"])
        #expect(try destinations.map { try JSONValue.parse($0.body) } == Array(repeating: try JSONValue.parse(Self.body), count: 3))
        #expect(rows.map(\.item.priority) == [.reply, .reply, .reply])
    }

    @Test func aReplyGoesToItsOwnAddressWithItsMethodAndBody() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await LocalHTTPServer.withServer { server in
            // setup
            let path = "/api/v10/webhooks/123/tok-1/messages/@original"
            try await queueReply(vigil, url: server.url(path: path))

            // MUT
            let pass = try await delivery(vigil).deliverDue()

            // validate
            #expect(pass == DeliveryPass(delivered: 1))
            let request = try #require(server.requests.first)
            #expect(request.method == "PATCH")
            #expect(request.path == path)
            #expect(request.header("content-type") == "application/json")
            #expect(try JSONValue.parse(request.body) == (try JSONValue.parse(Self.body)))
            #expect(try await vigil.store.outboxHealth() == OutboxHealth(pending: 0, deadLettered: 0))
        }
    }

    @Test func aReplyPastItsWindowIsDeadLetteredWithoutARequest() async throws {
        // setup: the transport records an issue if it is used
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await queueReply(vigil, url: "https://discord.com/api/v10/webhooks/1/tok/messages/@original")
        vigil.clock.advance(by: 15 * 60)

        // MUT
        let pass = try await delivery(vigil, transport: UnusedTransport()).deliverDue()

        // validate
        #expect(pass == DeliveryPass(deadLettered: 1))
        #expect(try await vigil.store.outboxHealth() == OutboxHealth(pending: 0, deadLettered: 1))
        #expect(try await lastError(vigil, 1) == "reply window expired")
    }

    @Test func aRateLimitedReplyWaitsForRetryAfterThenGoes() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await LocalHTTPServer.withServer(responses: [.text("slow down", status: 429, headers: [HTTPHeader("Retry-After", "5")])]) {
            server in
            // setup
            try await queueReply(vigil, url: server.url(path: "/commands/T1/1/x"), platform: "slack")
            try await queueReply(vigil, url: server.url(path: "/commands/T1/2/x"), platform: "slack")
            let delivery = delivery(vigil)

            // MUT + validate: the 429 holds back the platform's other reply in this pass
            #expect(try await delivery.deliverDue() == DeliveryPass(rescheduled: 2))
            #expect(server.requests.count == 1)
            #expect(try await vigil.store.nextOutboxDue() == vigil.clock.now + 5)
            vigil.clock.advance(by: 4)
            #expect(try await delivery.deliverDue() == DeliveryPass())
            vigil.clock.advance(by: 1)
            #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 2))
            #expect(server.requests.map(\.path) == ["/commands/T1/1/x", "/commands/T1/1/x", "/commands/T1/2/x"])
        }
    }

    @Test func aRefusedReplyIsDeadLetteredAtOnceAndAServerErrorIsRetried() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await LocalHTTPServer.withServer(
            responses: [.text(#"{"message":"Invalid Webhook Token","code":50027}"#, status: 401), .text("oops", status: 502)]
        ) { server in
            // setup
            try await queueReply(vigil, url: server.url(path: "/api/v10/webhooks/1/expired/messages/@original"))
            try await queueReply(vigil, url: server.url(path: "/api/v10/webhooks/1/fine/messages/@original"))

            // MUT
            let pass = try await delivery(vigil).deliverDue()

            // validate
            #expect(pass == DeliveryPass(rescheduled: 1, deadLettered: 1))
            #expect(try await lastError(vigil, 1)?.hasPrefix("HTTP 401") == true)
            #expect(try await lastError(vigil, 2) == "HTTP 502")
            #expect(try await lastError(vigil, 1)?.contains("expired") == false, "no part of the address is kept")
        }
    }

    @Test func noLogLineNamesTheAddressAndAFailedEnqueueIsLogged() async throws {
        // setup
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        let records = RecordingLogHandler.Records()
        let logger = Logger(label: "outbox-reply-test") { _ in RecordingLogHandler(records: records) }
        try await LocalHTTPServer.withServer(responses: [.text("expired_url", status: 404)]) { server in
            try await queueReply(vigil, url: server.url(path: "/commands/T1/1/secret-token"), platform: "slack", logger: logger)
            #expect(try await delivery(vigil, logger: logger).deliverDue() == DeliveryPass(deadLettered: 1))
        }
        await vigil.store.close()

        // MUT: the store is closed, so the row cannot be written
        try await queueReply(vigil, url: "https://hooks.slack.com/commands/T1/2/secret-token", platform: "slack", logger: logger)

        // validate
        let lines = records.all
        #expect(lines.contains { $0.level == .error && $0.text.contains("dead-lettered") && $0.text.contains("platform=slack") })
        #expect(lines.contains { $0.level == .error && $0.text.contains("could not be queued") })
        #expect(!lines.contains { $0.text.contains("secret-token") })
    }
}

/// Keeps every log line, message and metadata flattened into one text.
struct RecordingLogHandler: LogHandler {
    final class Records: Sendable {
        private let lines = Mutex<[(level: Logger.Level, text: String)]>([])
        func append(_ level: Logger.Level, _ text: String) { lines.withLock { $0.append((level, text)) } }
        var all: [(level: Logger.Level, text: String)] { lines.withLock { $0 } }
    }

    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String,
        line: UInt
    ) {
        let all = self.metadata.merging(metadata ?? [:]) { $1 }
        records.append(level, "\(message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
    }
}
