import Foundation
import Testing
import VigilJSON
import VigilPagers

@Suite("PagerDuty Events API v2 rendering")
struct PagerDutyEventTests {
    /// 2026-11-28 21:40:00.250 UTC.
    let now = Date(timeIntervalSince1970: 1_795_902_000.25)

    @Test func triggerCarriesEveryDocumentedField() throws {
        // setup
        var event = PagerDutyEvent.trigger(
            routingKey: "R0UT1NGKEY0000000000000000000001",
            dedupKey: "INC-42",
            summary: "[sev1] INC-42 fraud: Card testing spike",
            severity: PagerDutySeverity(vigilSeverity: "sev1"),
            timestamp: now,
            link: .init(href: "https://vigil.example.com/incidents/INC-42", text: "INC-42 in Vigil")
        )
        event.payload?.component = "fraud"
        event.payload?.group = "level-1"
        event.payload?.eventClass = "card-testing"
        event.payload?.customDetails = ["owner": "ava", "level": 1]
        event.clientURL = "https://vigil.example.com"

        // MUT
        let json = try JSONValue.parse(event.body())

        // validate
        #expect(json["routing_key"]?.stringValue == "R0UT1NGKEY0000000000000000000001")
        #expect(json["event_action"]?.stringValue == "trigger")
        #expect(json["dedup_key"]?.stringValue == "INC-42")
        let payload = try #require(json["payload"])
        #expect(payload["summary"]?.stringValue == "[sev1] INC-42 fraud: Card testing spike")
        #expect(payload["source"]?.stringValue == "vigil")
        #expect(payload["severity"]?.stringValue == "critical")
        #expect(payload["timestamp"]?.stringValue == "2026-11-28T21:40:00.250Z")
        #expect(payload["component"]?.stringValue == "fraud")
        #expect(payload["group"]?.stringValue == "level-1")
        #expect(payload["class"]?.stringValue == "card-testing")
        #expect(payload["custom_details"]?["owner"]?.stringValue == "ava")
        let link = try #require(json["links"]?.arrayValue?.first)
        #expect(link["href"]?.stringValue == "https://vigil.example.com/incidents/INC-42")
        #expect(link["text"]?.stringValue == "INC-42 in Vigil")
        #expect(json["client"]?.stringValue == "Vigil")
        #expect(json["client_url"]?.stringValue == "https://vigil.example.com")
    }

    @Test func triggerWithoutLinkOrOptionalsLeavesThemOut() throws {
        let event = PagerDutyEvent.trigger(
            routingKey: "k", dedupKey: "INC-7", summary: "s", severity: .warning, timestamp: now)
        let json = try JSONValue.parse(event.body())
        #expect(json["links"] == nil)
        #expect(json["client_url"] == nil)
        #expect(json["payload"]?["component"] == nil)
        #expect(json["payload"]?["custom_details"] == nil)
    }

    @Test(arguments: [PagerDutyEvent.Action.acknowledge, .resolve])
    func acknowledgeAndResolveAreMinimal(action: PagerDutyEvent.Action) throws {
        let event =
            action == .acknowledge
            ? PagerDutyEvent.acknowledge(routingKey: "k", dedupKey: "INC-42")
            : PagerDutyEvent.resolve(routingKey: "k", dedupKey: "INC-42")
        let json = try JSONValue.parse(event.body())
        #expect(json.objectMembers?.map(\.0) == ["routing_key", "event_action", "dedup_key"])
        #expect(json["event_action"]?.stringValue == action.rawValue)
        #expect(json["dedup_key"]?.stringValue == "INC-42")
    }

    @Test(arguments: [
        ("sev1", PagerDutySeverity.critical), ("sev2", .error), ("sev3", .warning), ("SEV1", .critical),
        ("sev4", .info), ("", .info), ("critical", .info), ("unknown", .info),
    ])
    func severityMapping(name: String, expected: PagerDutySeverity) {
        #expect(PagerDutySeverity(vigilSeverity: name) == expected)
    }

    @Test func longSummaryIsCutOnACharacterBoundaryWithinTheLimit() throws {
        // setup: emoji are two UTF-16 units each, so a naive cut could split a surrogate pair
        let summary = String(repeating: "a", count: 1021) + String(repeating: "🚨", count: 10)
        let event = PagerDutyEvent.trigger(routingKey: "k", dedupKey: "INC-1", summary: summary, severity: .info, timestamp: now)

        // MUT
        let rendered = try #require(try JSONValue.parse(event.body())["payload"]?["summary"]?.stringValue)

        // validate
        #expect(rendered.utf16.count <= PagerDutyEvent.maxSummaryLength)
        #expect(rendered.hasSuffix("…"))
        #expect(rendered.hasPrefix(String(repeating: "a", count: 1021)))
        #expect(!rendered.unicodeScalars.contains { (0xD800...0xDFFF).contains($0.value) })
    }

    @Test func summaryAtTheLimitIsKept() throws {
        let summary = String(repeating: "é", count: PagerDutyEvent.maxSummaryLength)
        let event = PagerDutyEvent.trigger(routingKey: "k", dedupKey: "INC-1", summary: summary, severity: .info, timestamp: now)
        #expect(try JSONValue.parse(event.body())["payload"]?["summary"]?.stringValue == summary)
    }

    @Test func requestPostsJSONToTheEventsURL() {
        let request = PagerDutyEvent.resolve(routingKey: "k", dedupKey: "INC-42")
            .request(eventsURL: "https://events.pagerduty.com/v2/enqueue")
        #expect(request.method == "POST")
        #expect(request.url == "https://events.pagerduty.com/v2/enqueue")
        #expect(request.header("content-type") == "application/json")
    }

    @Test func timestampsBeforeTheEpochAndLeapDaysRenderCorrectly() throws {
        let leap = Date(timeIntervalSince1970: 1_709_164_800)  // 2024-02-29T00:00:00Z
        let old = Date(timeIntervalSince1970: -1.5)  // 1969-12-31T23:59:58.500Z
        for (date, expected) in [(leap, "2024-02-29T00:00:00.000Z"), (old, "1969-12-31T23:59:58.500Z")] {
            let event = PagerDutyEvent.trigger(routingKey: "k", dedupKey: "d", summary: "s", severity: .info, timestamp: date)
            #expect(try JSONValue.parse(event.body())["payload"]?["timestamp"]?.stringValue == expected)
        }
    }

    // MARK: - Responses

    @Test func acceptedResponseGivesTheDedupKey() {
        let body = Array(#"{"status":"success","message":"Event processed","dedup_key":"INC-42"}"#.utf8)
        let outcome = PagerDutyEventOutcome.interpret(status: 202, body: body)
        #expect(outcome == .accepted(dedupKey: "INC-42"))
        #expect(!outcome.isRetryable)
    }

    @Test func invalidEventIsNotRetryableAndSaysWhy() {
        let body = Array(
            #"{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect"]}"#.utf8)
        let outcome = PagerDutyEventOutcome.interpret(status: 400, body: body)
        #expect(outcome == .invalid(message: "Event object is invalid", errors: ["Length of 'routing_key' is incorrect"]))
        #expect(!outcome.isRetryable)
    }

    @Test(arguments: [
        (429, PagerDutyEventOutcome.rateLimited, true), (500, .serverError(status: 500), true),
        (503, .serverError(status: 503), true), (404, .unexpected(status: 404), false),
        (202, .accepted(dedupKey: nil), false),
    ])
    func statusDecidesEvenWithAnUnreadableBody(status: Int, expected: PagerDutyEventOutcome, retryable: Bool) {
        let outcome = PagerDutyEventOutcome.interpret(status: status, body: Array("<html>oops".utf8))
        #expect(outcome == expected)
        #expect(outcome.isRetryable == retryable)
    }
}
