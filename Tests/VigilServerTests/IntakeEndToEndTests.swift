import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VigilConfig
import VigilCore
import VigilJSON
import VigilServer
import VigilTestSupport

/// The intake endpoints over real HTTP on loopback, with the test's clock: signed cases open
/// incidents with their clocks from `known_at`, a second delivery joins with a note, a retry
/// of one delivery is answered as the first, and every refusal (401, 413, 400, 422) writes
/// nothing. Signatures are computed here with swift-crypto directly, not with Vigil's helpers.
@Suite(.serialized) struct IntakeEndToEndTests {
    static let webhookKey = Array("0123456789abcdef0123456789abcdef".utf8)
    static let webhookSecret = "whsec_" + Data(webhookKey).base64EncodedString()
    static let zendeskSecret = "zendesk-signing-secret"

    static func settings(afterResolve: IntakeAfterResolve = .reopen) -> IntakeSettings {
        IntakeSettings(
            zendesk: ZendeskIntakeSettings(
                secrets: [zendeskSecret],
                map: IntakeMap(
                    defaults: IntakeMap.Result(kind: "moderation", kindField: "category", severity: "sev3"),
                    rules: [
                        IntakeMap.Rule(tags: ["csam"], result: IntakeMap.Result(kind: "csam", severity: "sev1")),
                        IntakeMap.Rule(
                            priority: "urgent", result: IntakeMap.Result(kind: "fraud", kindField: "category", severity: "sev1")),
                    ]),
                afterResolve: afterResolve),
            webhook: WebhookIntakeSettings(secrets: [webhookSecret], afterResolve: afterResolve))
    }

    func vigil(afterResolve: IntakeAfterResolve = .reopen, intake: IntakeSettings? = nil) throws -> TestVigil {
        try TestVigil(intake: intake ?? Self.settings(afterResolve: afterResolve))
    }

    /// Standard Webhooks headers for `body`, signed here: base64(HMAC-SHA256(key, id.ts.body)).
    static func webhookHeaders(_ body: [UInt8], id: String, at date: Date, key: [UInt8] = webhookKey) -> HTTPFields {
        let timestamp = String(Int64(date.timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(id).\(timestamp).".utf8) + body, using: SymmetricKey(data: key))
        return [
            .contentType: "application/json", HTTPField.Name("webhook-id")!: id, HTTPField.Name("webhook-timestamp")!: timestamp,
            HTTPField.Name("webhook-signature")!: "v1,\(Data(mac).base64EncodedString())",
        ]
    }

    /// Zendesk's headers for `body`, signed here: base64(HMAC-SHA256(secret, timestamp + body)).
    static func zendeskHeaders(_ body: [UInt8], at date: Date, secret: String = zendeskSecret, invocation: String? = nil) -> HTTPFields {
        let timestamp = ISOTimestamp.string(date).replacingOccurrences(of: ".000Z", with: "Z")
        let mac = HMAC<SHA256>.authenticationCode(for: Array(timestamp.utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        var fields: HTTPFields = [
            .contentType: "application/json", HTTPField.Name("X-Zendesk-Webhook-Signature-Timestamp")!: timestamp,
            HTTPField.Name("X-Zendesk-Webhook-Signature")!: Data(mac).base64EncodedString(),
        ]
        if let invocation { fields[HTTPField.Name("X-Zendesk-Webhook-Invocation-Id")!] = invocation }
        return fields
    }

    static func caseBody(
        type: String = "fraud", field: String = "category", severity: String = "sev2", title: String = "Card testing on payouts",
        knownAt: Date? = nil, dedupKey: String? = "case-1"
    ) -> [UInt8] {
        var members: [(String, JSONValue)] = [(field, .string(type)), ("severity", .string(severity)), ("title", .string(title))]
        if let knownAt { members.append(("known_at", .string(ISOTimestamp.string(knownAt)))) }
        members.append(("refs", .array([.string("FORM-88")])))
        if let dedupKey { members.append(("dedup_key", .string(dedupKey))) }
        return JSONValue.object(members).serialized()
    }

    struct Answer {
        var status: HTTPResponse.Status
        var json: JSONValue?
        var incident: String? { json?["incident"]?.stringValue }
    }

    func post(_ path: String, _ body: [UInt8], headers: HTTPFields, client: any TestClientProtocol) async throws -> Answer {
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
        return Answer(status: response.status, json: try? JSONValue.parse(String(buffer: response.body)))
    }

    func webhook(_ body: [UInt8], id: String = UUID().uuidString, vigil: TestVigil, client: any TestClientProtocol) async throws -> Answer {
        try await post("/intake/webhook", body, headers: Self.webhookHeaders(body, id: id, at: vigil.clock.now), client: client)
    }

    /// Nothing was written: no incident, no outbox row, no intake key.
    func expectNothingWritten(_ vigil: TestVigil) async throws {
        #expect(try await vigil.store.incidents(matching: IncidentFilter()).isEmpty)
        #expect(try await vigil.store.outboxHealth() == OutboxHealth(pending: 0, deadLettered: 0))
        #expect(try await vigil.store.intakeIncident(key: "webhook:case-1") == nil)
    }

    // MARK: - Opening

    @Test func aSignedCaseOpensAnIncidentWithItsClocksFromKnownAt() async throws {
        let vigil = try vigil()
        defer { vigil.cleanUp() }
        let knownAt = vigil.clock.now.addingTimeInterval(-90 * 60)
        let body = Self.caseBody(type: "ncii", field: "type", severity: "sev1", title: "Intimate image reported", knownAt: knownAt)
        let answer = try await vigil.withLiveClient { client in try await webhook(body, vigil: vigil, client: client) }
        #expect(answer.status == .created)
        #expect(answer.incident == "INC-1")
        let incident = try #require(try await vigil.store.incident(1))
        #expect(incident.knownAt == knownAt && incident.openedAt == vigil.clock.now)
        #expect(incident.refs == ["FORM-88"])
        // Stored as `intake:webhook`; read back it names no platform a role could be granted on.
        #expect(incident.reporter.storedID == "intake:webhook" && incident.reporter.identity == nil)
        let clocks = try await vigil.store.clocks(of: 1)
        #expect(clocks.first { $0.name == "ack" }?.startedAt == knownAt)
        let legal = try #require(clocks.first { $0.kind == .legal })
        #expect(legal.dueAt == knownAt.addingTimeInterval(48 * 3600))
        #expect(try await vigil.store.intakeIncident(key: "webhook:case-1") == 1)
        // The announcement says where the case came from.
        _ = try await vigil.app.delivery.deliverDue()
        #expect(vigil.console.all.contains { $0.channel == "incidents" && $0.text.contains("from the intake webhook") })
    }

    @Test func aRetryOfOneDeliveryIsAnsweredAsTheFirstAndWritesNothing() async throws {
        let vigil = try vigil()
        defer { vigil.cleanUp() }
        let body = Self.caseBody()
        let (first, second) = try await vigil.withLiveClient { client in
            (
                try await webhook(body, id: "msg_1", vigil: vigil, client: client),
                try await webhook(body, id: "msg_1", vigil: vigil, client: client)
            )
        }
        #expect(first.status == .created && second.status == .created)
        #expect(first.incident == "INC-1" && second.incident == "INC-1")
        #expect(try await vigil.store.events(of: 1).count == 1)
        // The same id with another body is not a retry.
        let other = try await vigil.withLiveClient { client in
            try await webhook(Self.caseBody(title: "Something else"), id: "msg_1", vigil: vigil, client: client)
        }
        #expect(other.status == .conflict)
        #expect(try await vigil.store.incidents(matching: IncidentFilter()).count == 1)
    }

    // MARK: - Dedup

    @Test func aSecondDeliveryOfTheCaseJoinsWithANote() async throws {
        let vigil = try vigil()
        defer { vigil.cleanUp() }
        let answers = try await vigil.withLiveClient { client in
            [
                try await webhook(Self.caseBody(), vigil: vigil, client: client),
                try await webhook(Self.caseBody(title: "Card testing, more cards"), vigil: vigil, client: client),
            ]
        }
        #expect(answers.map(\.status) == [.created, .ok])
        #expect(answers.map(\.incident) == ["INC-1", "INC-1"])
        let events = try await vigil.store.events(of: 1)
        #expect(events.map(\.kind) == [.opened, .noted])
        #expect(events[1].payload["text"]?.contains("Card testing, more cards") == true)
        #expect(try await vigil.store.incidents(matching: IncidentFilter()).count == 1)
    }

    @Test func concurrentDeliveriesOfOneCaseOpenOneIncident() async throws {
        let vigil = try vigil()
        defer { vigil.cleanUp() }
        let statuses = try await vigil.withLiveClient { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<6 {
                    group.addTask { try await webhook(Self.caseBody(title: "Report \(index)"), vigil: vigil, client: client).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(statuses.filter { $0 == .created }.count == 1)
        #expect(statuses.filter { $0 == .ok }.count == 5)
        #expect(try await vigil.store.incidents(matching: IncidentFilter()).count == 1)
        #expect(try await vigil.store.events(of: 1).map(\.kind) == [.opened] + Array(repeating: .noted, count: 5))
    }

    @Test(arguments: [IntakeAfterResolve.reopen, .new])
    func afterAResolveTheCaseReopensOrOpensANewIncidentAsConfigSays(_ afterResolve: IntakeAfterResolve) async throws {
        let vigil = try vigil(afterResolve: afterResolve)
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            #expect(try await webhook(Self.caseBody(), vigil: vigil, client: client).status == .created)
            #expect(try await vigil.slack("resolve 1 cards blocked", as: Fixtures.ava, client: client).0 == .ok)
            let again = try await webhook(Self.caseBody(title: "It is back"), vigil: vigil, client: client)
            switch afterResolve {
            case .reopen:
                #expect(again.status == .ok && again.incident == "INC-1")
                #expect(try await vigil.store.incident(1)?.state == .open)
                #expect(try await vigil.store.events(of: 1).map(\.kind).suffix(2) == [.reopened, .noted])
            case .new:
                #expect(again.status == .created && again.incident == "INC-2")
                #expect(try await vigil.store.incident(1)?.state == .resolved)
                #expect(try await vigil.store.intakeIncident(key: "webhook:case-1") == 2)
                // And the next one joins the new incident.
                let third = try await webhook(Self.caseBody(title: "Still back"), vigil: vigil, client: client)
                #expect(third.status == .ok && third.incident == "INC-2")
            }
        }
    }

    // MARK: - Refusals write nothing

    @Test func aBadSignatureIsA401AndWritesNothing() async throws {
        let vigil = try vigil()
        defer { vigil.cleanUp() }
        let body = Self.caseBody()
        let now = vigil.clock.now
        let statuses = try await vigil.withLiveClient { client in
            var tampered = Self.webhookHeaders(body, id: "m1", at: now)
            tampered[HTTPField.Name("webhook-id")!] = "m2"
            let stale = Self.webhookHeaders(body, id: "m3", at: now.addingTimeInterval(-301))
            let wrongKey = Self.webhookHeaders(body, id: "m4", at: now, key: Array("another key, another key, 32 b!".utf8))
            var unsigned = Self.webhookHeaders(body, id: "m5", at: now)
            unsigned[HTTPField.Name("webhook-signature")!] = nil
            var statuses: [HTTPResponse.Status] = []
            for headers in [tampered, stale, wrongKey, unsigned] {
                statuses.append(try await post("/intake/webhook", body, headers: headers, client: client).status)
            }
            // A changed body under the original signature.
            statuses.append(
                try await post(
                    "/intake/webhook", Self.caseBody(severity: "sev1"), headers: Self.webhookHeaders(body, id: "m6", at: now),
                    client: client
                ).status)
            return statuses
        }
        #expect(statuses == Array(repeating: .unauthorized, count: 5))
        try await expectNothingWritten(vigil)
    }

    @Test func anOversizedMalformedOrUnknownCaseIsRefusedAndWritesNothing() async throws {
        let vigil = try vigil()
        defer { vigil.cleanUp() }
        let answers = try await vigil.withLiveClient { client in
            [
                try await webhook(Array(repeating: UInt8(ascii: " "), count: 64 * 1024 + 1), vigil: vigil, client: client),
                try await webhook(Array("{\"type\": ".utf8), vigil: vigil, client: client),
                try await webhook(Self.caseBody(severity: "sev9"), vigil: vigil, client: client),
                try await webhook(Self.caseBody(type: "nonsense", field: "type"), vigil: vigil, client: client),
                try await webhook(Self.caseBody(knownAt: vigil.clock.now.addingTimeInterval(3600)), vigil: vigil, client: client),
            ]
        }
        #expect(
            answers.map(\.status) == [.contentTooLarge, .badRequest, .unprocessableContent, .unprocessableContent, .unprocessableContent])
        #expect(answers[2].json?["field"]?.stringValue == "severity")
        #expect(answers[3].json?["field"]?.stringValue == "type")
        #expect(answers[4].json?["field"]?.stringValue == "known_at")
        #expect(answers[2].json?["error"]?.stringValue?.contains("sev9") == true)
        try await expectNothingWritten(vigil)
    }

    @Test func anEndpointNotConfiguredIsNotServed() async throws {
        let vigil = try vigil(intake: IntakeSettings(webhook: WebhookIntakeSettings(secrets: [Self.webhookSecret])))
        defer { vigil.cleanUp() }
        let body = Array(#"{"ticket": {"id": 1, "subject": "x"}}"#.utf8)
        let status = try await vigil.withLiveClient { client in
            try await post("/intake/zendesk", body, headers: Self.zendeskHeaders(body, at: vigil.clock.now), client: client).status
        }
        #expect(status == .notFound)
    }

    // MARK: - Zendesk

    @Test func aZendeskTicketOpensThenJoinsAndItsIdIsARef() async throws {
        let vigil = try vigil()
        defer { vigil.cleanUp() }
        let created = vigil.clock.now.addingTimeInterval(-600)
        let body = Array(
            #"{"ticket": {"id": 4521, "subject": "Card testing", "priority": "urgent", "tags": "payments", "created_at": "\#(ISOTimestamp.string(created))"}}"#
                .utf8)
        let update = Array(#"{"ticket": {"id": "4521", "subject": "Card testing (customer replied)", "priority": "urgent"}}"#.utf8)
        let answers = try await vigil.withLiveClient { client in
            [
                try await post(
                    "/intake/zendesk", body, headers: Self.zendeskHeaders(body, at: vigil.clock.now, invocation: "inv-1"), client: client),
                // Zendesk's retry of the same invocation.
                try await post(
                    "/intake/zendesk", body, headers: Self.zendeskHeaders(body, at: vigil.clock.now, invocation: "inv-1"), client: client),
                try await post("/intake/zendesk", update, headers: Self.zendeskHeaders(update, at: vigil.clock.now), client: client),
                // Tampered and stale.
                try await post("/intake/zendesk", update, headers: Self.zendeskHeaders(body, at: vigil.clock.now), client: client),
                try await post(
                    "/intake/zendesk", body, headers: Self.zendeskHeaders(body, at: vigil.clock.now.addingTimeInterval(-301)),
                    client: client),
            ]
        }
        #expect(answers.map(\.status) == [.created, .created, .ok, .unauthorized, .unauthorized])
        #expect(answers.prefix(3).map(\.incident) == ["INC-1", "INC-1", "INC-1"])
        let incident = try #require(try await vigil.store.incident(1))
        #expect(incident.category == "fraud" && incident.severity == "sev1")
        #expect(incident.refs == ["ZD-4521"])
        #expect(incident.knownAt == created)
        #expect(try await vigil.store.events(of: 1).map(\.kind) == [.opened, .noted])
        _ = try await vigil.app.delivery.deliverDue()
        #expect(vigil.console.all.contains { $0.text.contains("from Zendesk ticket 4521") })
    }

    @Test func aRestrictedTypeByIntakeNeverReachesAChannelWithItsTitle() async throws {
        let vigil = try vigil()
        defer { vigil.cleanUp() }
        let title = "Grooming report naming the child"
        let body = Array(#"{"ticket": {"id": 77, "subject": "\#(title)", "tags": ["csam"]}}"#.utf8)
        let answers = try await vigil.withLiveClient { client in
            [
                try await post("/intake/zendesk", body, headers: Self.zendeskHeaders(body, at: vigil.clock.now), client: client),
                try await webhook(
                    Self.caseBody(type: "csam", field: "type", severity: "sev1", title: title, dedupKey: nil), vigil: vigil, client: client),
                try await post("/intake/zendesk", body, headers: Self.zendeskHeaders(body, at: vigil.clock.now), client: client),
            ]
        }
        #expect(answers.map(\.status) == [.created, .created, .ok])
        #expect(try await vigil.store.incident(1)?.restricted == true)
        #expect(try await vigil.store.incident(2)?.restricted == true)
        _ = try await vigil.app.delivery.deliverDue()
        let posts = vigil.console.all
        #expect(!posts.isEmpty)
        for post in posts {
            #expect(!post.text.contains(title))
            #expect(!post.text.contains("ZD-77"))
            #expect(!post.text.contains("ticket 77"))
        }
        #expect(posts.contains { $0.text.contains("from Zendesk") })
    }
}
