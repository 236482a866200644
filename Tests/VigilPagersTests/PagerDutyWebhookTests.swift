import Foundation
import Testing
import VigilPagers
import VigilTestSupport

@Suite("PagerDuty v3 webhooks: signature and decoding")
struct PagerDutyWebhookTests {
    static let secret = "whsec-test-secret-42"
    /// Computed once, independently of Vigil, over the fixture file's exact bytes:
    /// `openssl dgst -sha256 -hmac "whsec-test-secret-42" Fixtures/PagerDuty/incident-acknowledged.json`
    static let acknowledgedSignature = "19a616dab673b922d1cdf96a6e719bc508bab2d60390ff2c9e3960145bfcc5bd"
    /// `openssl dgst -sha256 -hmac "old-secret-7" Fixtures/PagerDuty/incident-acknowledged.json`
    static let acknowledgedOldSecretSignature = "a427f8ebbef32a519bcc1c7bb76a4a4320a2b8c4b65fcc89a01bc388abb43c63"

    let acknowledged: [UInt8]

    init() throws {
        acknowledged = try FixtureLoader.bytes("PagerDuty/incident-acknowledged.json")
    }

    // MARK: - Signature

    @Test func signatureMatchesTheIndependentVector() {
        #expect(PagerDutyWebhookSignature.signature(body: acknowledged, secret: Self.secret) == Self.acknowledgedSignature)
        #expect(PagerDutyWebhookSignature.isValid(header: "v1=\(Self.acknowledgedSignature)", body: acknowledged, secret: Self.secret))
    }

    @Test(arguments: [
        "v1=\(PagerDutyWebhookTests.acknowledgedOldSecretSignature),v1=\(PagerDutyWebhookTests.acknowledgedSignature)",
        "v1=\(PagerDutyWebhookTests.acknowledgedSignature), v1=\(PagerDutyWebhookTests.acknowledgedOldSecretSignature)",
        "v2=deadbeef,v1=\(PagerDutyWebhookTests.acknowledgedSignature)",
        "v1=\(PagerDutyWebhookTests.acknowledgedSignature.uppercased())",
    ])
    func anyMatchingV1SignatureIsValid(header: String) {
        #expect(PagerDutyWebhookSignature.isValid(header: header, body: acknowledged, secret: Self.secret))
    }

    @Test func duringRotationTheOldSecretStillVerifies() {
        let header = "v1=\(Self.acknowledgedSignature),v1=\(Self.acknowledgedOldSecretSignature)"
        #expect(PagerDutyWebhookSignature.isValid(header: header, body: acknowledged, secret: "old-secret-7"))
    }

    @Test(
        arguments: [
            nil, "", "v1=", "v1", "sha256=\(PagerDutyWebhookTests.acknowledgedSignature)",
            "v2=\(PagerDutyWebhookTests.acknowledgedSignature)",
            "v1=\(PagerDutyWebhookTests.acknowledgedOldSecretSignature)", "v1=\(PagerDutyWebhookTests.acknowledgedSignature.dropLast())",
            "v1=\(PagerDutyWebhookTests.acknowledgedSignature)00",
            "v1=zz\(PagerDutyWebhookTests.acknowledgedSignature.dropFirst(2))", ",,,",
        ] as [String?])
    func missingMalformedOrWrongSignaturesAreInvalid(header: String?) {
        #expect(!PagerDutyWebhookSignature.isValid(header: header, body: acknowledged, secret: Self.secret))
    }

    @Test func aChangedBodyOrEmptySecretIsInvalid() {
        var tampered = acknowledged
        tampered[tampered.count - 3] ^= 0x01
        let header = "v1=\(Self.acknowledgedSignature)"
        #expect(!PagerDutyWebhookSignature.isValid(header: header, body: tampered, secret: Self.secret))
        #expect(!PagerDutyWebhookSignature.isValid(header: header, body: acknowledged, secret: ""))
    }

    @Test func theTestSupportSignerAgreesWithTheVerifier() throws {
        let headers = FakePagerDuty.signedWebhook(body: acknowledged, secrets: ["new", Self.secret])
        let header = try #require(headers.first { $0.name == "X-PagerDuty-Signature" }?.value)
        #expect(header.hasSuffix("v1=\(Self.acknowledgedSignature)"))
        #expect(PagerDutyWebhookSignature.isValid(header: header, body: acknowledged, secret: Self.secret))
    }

    // MARK: - Decoding

    @Test func acknowledgedDecodesEverythingVigilUses() throws {
        let event = try PagerDutyWebhookDecoder.decode(acknowledged)
        #expect(event.id == "01DXJ5WZ6Q8M1N0G3V7T2K4RAC")
        #expect(event.type == .acknowledged)
        #expect(event.resourceType == "incident")
        #expect(abs(event.occurredAt.timeIntervalSince1970 - 1_795_902_192.345) < 0.000_5)
        #expect(event.agent?.id == "PAVA001")
        #expect(event.agent?.summary == "Ava Okafor")
        #expect(event.agent?.type == "user_reference")
        let incident = try #require(event.incident)
        #expect(incident.incidentKey == "INC-42")
        #expect(incident.id == "Q2K8XWZ4N1B7")
        #expect(incident.htmlURL == "https://vigil-demo.pagerduty.com/incidents/Q2K8XWZ4N1B7")
        #expect(incident.status == "acknowledged")
    }

    @Test func resolvedDecodesWithWholeSecondTimeAndUnicodeTitle() throws {
        let event = try PagerDutyWebhookDecoder.decode(try FixtureLoader.bytes("PagerDuty/incident-resolved.json"))
        #expect(event.type == .resolved)
        #expect(event.occurredAt == Date(timeIntervalSince1970: 1_795_903_500))
        #expect(event.agent?.summary == "Ben Ngata")
        #expect(event.incident?.incidentKey == "INC-42")
        #expect(event.incident?.title?.hasSuffix("Zürich") == true)
    }

    @Test func unacknowledgedByPagerDutyItselfHasNoAgentAndAnOffsetTime() throws {
        let event = try PagerDutyWebhookDecoder.decode(try FixtureLoader.bytes("PagerDuty/incident-unacknowledged.json"))
        #expect(event.type == .unacknowledged)
        #expect(event.agent == nil)
        #expect(event.occurredAt == Date(timeIntervalSince1970: 1_795_902_000 + 18 * 60 + 12 - 3600))
        #expect(event.incident?.status == "triggered")
    }

    @Test(arguments: [
        ("2026-11-28T21:40:00Z", 1_795_902_000.0), ("2026-11-28T22:40:00+01:00", 1_795_902_000),
        ("2026-11-28T20:40:00-0100", 1_795_902_000), ("2026-11-28T21:40:00.5Z", 1_795_902_000.5),
        ("2024-02-29T00:00:00Z", 1_709_164_800), ("1969-12-31T23:59:59Z", -1),
    ])
    func occurredAtFormats(text: String, expected: Double) throws {
        let body = #"{"event":{"id":"e","event_type":"incident.resolved","occurred_at":"\#(text)"}}"#
        let event = try PagerDutyWebhookDecoder.decode(Array(body.utf8))
        #expect(abs(event.occurredAt.timeIntervalSince1970 - expected) < 0.000_5)
    }

    @Test func aNoteReferencesItsIncidentWithoutAKey() throws {
        let event = try PagerDutyWebhookDecoder.decode(try FixtureLoader.bytes("PagerDuty/incident-annotated.json"))
        #expect(event.type == .annotated)
        #expect(event.incident?.id == "Q2K8XWZ4N1B7")
        #expect(event.incident?.incidentKey == nil)
    }

    @Test func unknownTypesDecodeAsOther() throws {
        let event = try PagerDutyWebhookDecoder.decode(try FixtureLoader.bytes("PagerDuty/service-updated.json"))
        #expect(event.type == .other("service.updated"))
        #expect(event.type.rawValue == "service.updated")
        #expect(event.incident == nil)
    }

    @Test(arguments: [
        "incident.triggered", "incident.acknowledged", "incident.unacknowledged", "incident.resolved",
        "incident.reopened", "incident.escalated", "incident.reassigned", "incident.delegated",
        "incident.annotated", "incident.priority_updated", "incident.responder.added",
    ])
    func eventTypeNamesRoundTrip(name: String) {
        #expect(PagerDutyWebhookEvent.EventType(rawValue: name).rawValue == name)
    }

    @Test func malformedJSONIsASpecificError() throws {
        let body = try FixtureLoader.bytes("PagerDuty/malformed-truncated.json")
        #expect {
            try PagerDutyWebhookDecoder.decode(body)
        } throws: { error in
            guard case .malformedJSON = error as? PagerDutyWebhookError else { return false }
            return true
        }
    }

    @Test func aBodyWithoutEventIsASpecificError() throws {
        let body = try FixtureLoader.bytes("PagerDuty/missing-event.json")
        #expect(throws: PagerDutyWebhookError.missingEvent) { try PagerDutyWebhookDecoder.decode(body) }
        #expect(throws: PagerDutyWebhookError.missingEvent) { try PagerDutyWebhookDecoder.decode(Array(#"{"event":"x"}"#.utf8)) }
    }

    @Test(arguments: [
        (#"{"event":{"event_type":"incident.resolved","occurred_at":"2026-11-28T22:05:00Z"}}"#, PagerDutyWebhookError.missingField("id")),
        (#"{"event":{"id":"e","occurred_at":"2026-11-28T22:05:00Z"}}"#, .missingField("event_type")),
        (#"{"event":{"id":"e","event_type":"incident.resolved"}}"#, .missingField("occurred_at")),
        (#"{"event":{"id":"e","event_type":"incident.resolved","occurred_at":"yesterday"}}"#, .invalidDate("yesterday")),
        (
            #"{"event":{"id":"e","event_type":"incident.resolved","occurred_at":"2026-11-28T22:05:00"}}"#,
            .invalidDate("2026-11-28T22:05:00")
        ),
        (
            #"{"event":{"id":"e","event_type":"incident.resolved","occurred_at":"2026-13-28T22:05:00Z"}}"#,
            .invalidDate("2026-13-28T22:05:00Z")
        ),
    ])
    func missingFieldsAreNamed(body: String, expected: PagerDutyWebhookError) {
        #expect(throws: expected) { try PagerDutyWebhookDecoder.decode(Array(body.utf8)) }
    }
}
