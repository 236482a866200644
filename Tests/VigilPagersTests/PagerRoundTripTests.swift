import Foundation
import Testing
import VigilHTTP
import VigilJSON
import VigilPagers
import VigilTestSupport

/// The request builders' output, sent by the real HTTP client to the fakes over loopback.
@Suite("Pager requests over HTTP", .timeLimit(.minutes(1)))
struct PagerRoundTripTests {
    let client = CurlHTTPClient()

    /// What the app does: a `PagerRequest` becomes a VigilHTTP request.
    func send(_ request: PagerRequest) async throws -> HTTPResponse {
        try await client.send(
            HTTPRequest(
                method: request.method,
                url: request.url,
                headers: request.headers.map { HTTPHeader($0.name, $0.value) },
                body: request.body
            ))
    }

    @Test func pagerDutyTriggerIsAcceptedThenRateLimited() async throws {
        // setup
        let fake = try await FakePagerDuty.start(answers: [.accepted, .rateLimited, .invalid("bad routing key"), .serverError(502)])
        let event = PagerDutyEvent.trigger(
            routingKey: "R0UT1NGKEY0000000000000000000001", dedupKey: "INC-42", summary: "Card testing spike",
            severity: .critical, timestamp: Date(timeIntervalSince1970: 1_795_902_000))

        // MUT
        var outcomes: [PagerDutyEventOutcome] = []
        for _ in 0..<4 {
            let response = try await send(event.request(eventsURL: fake.eventsURL))
            outcomes.append(PagerDutyEventOutcome.interpret(status: response.status, body: response.body))
        }
        await fake.stop()

        // validate
        #expect(
            outcomes == [
                .accepted(dedupKey: "INC-42"), .rateLimited,
                .invalid(message: "Event object is invalid", errors: ["bad routing key"]), .serverError(status: 502),
            ])
        #expect(outcomes.map(\.isRetryable) == [false, true, false, true])
        #expect(fake.events.count == 4)
        #expect(fake.events.first?["payload"]?["severity"]?.stringValue == "critical")
        #expect(fake.server.requests.first?.header("content-type") == "application/json")
    }

    @Test func ntfyPublicationArrivesAsTheTopicsMessage() async throws {
        // setup
        let fake = try await FakeNtfy.start()
        let publication = NtfyPublication(
            topic: try NtfyTopic("vigil-ava"),
            title: "[sev1] INC-42 opened in Zürich",
            message: "Card testing spike",
            click: "https://vigil.example.com/incidents/INC-42",
            actionLabel: "Open INC-42"
        )

        // MUT
        let response = try await send(try publication.request(baseURL: fake.baseURL, accessToken: "tk_test"))
        await fake.stop()

        // validate
        #expect(response.status == 200)
        let received = try #require(fake.publications.first)
        #expect(received.topic == "vigil-ava")
        #expect(received.header("authorization") == "Bearer tk_test")
        #expect(received.json?["title"]?.stringValue == "[sev1] INC-42 opened in Zürich")
        #expect(received.json?["priority"]?.intValue == 5)
        #expect(try JSONValue.parse(response.body)["topic"]?.stringValue == "vigil-ava")
    }
}
