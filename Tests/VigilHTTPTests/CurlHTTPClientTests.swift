import Foundation
import Testing
import VigilHTTP
import VigilTestSupport

@Suite("CurlHTTPClient against a local server", .timeLimit(.minutes(1)))
struct CurlHTTPClientTests {
    let client = CurlHTTPClient()

    @Test func getRoundTripsHeadersAndBody() async throws {
        let reply = LocalHTTPServer.CannedResponse.text(
            "hello",
            headers: [HTTPHeader("X-Reply", "yes"), HTTPHeader("Content-Type", "text/plain")]
        )
        try await LocalHTTPServer.withServer(responses: [reply]) { server in
            let response = try await client.send(
                .get(server.url(path: "/status?verbose=1"), headers: [HTTPHeader("X-Request-Id", "r-1")])
            )

            #expect(response.status == 200)
            #expect(response.text == "hello")
            #expect(response.header("X-Reply") == "yes")
            #expect(response.header("content-type") == "text/plain")
            #expect(response.headers.allSatisfy { $0.name == $0.name.lowercased() })
            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            #expect(request.path == "/status?verbose=1")
            #expect(request.header("x-request-id") == "r-1")
            #expect(request.header("user-agent") == CurlHTTPClient.defaultUserAgent)
            #expect(request.body.isEmpty)
        }
    }

    @Test func postRoundTripsBodyAndHeaders() async throws {
        // Over 1 KiB, where curl would otherwise ask for "Expect: 100-continue".
        let payload = Array(#"{"text":"\#(String(repeating: "x", count: 4096))"}"#.utf8)
        try await LocalHTTPServer.withServer(responses: [.text("created", status: 201)]) { server in
            let response = try await client.send(
                .post(
                    server.url(path: "/services/hook"),
                    headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("X-Empty", "")],
                    body: payload
                )
            )

            #expect(response.status == 201)
            #expect(response.text == "created")
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/services/hook")
            #expect(request.body == payload)
            #expect(request.header("content-type") == "application/json")
            #expect(request.header("x-empty") == "")
            #expect(request.header("expect") == nil)
        }
    }

    @Test func emptyPostSendsAnEmptyBody() async throws {
        try await LocalHTTPServer.withServer { server in
            let response = try await client.send(.post(server.url(), body: []))

            #expect(response.status == 200)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.body.isEmpty)
        }
    }

    @Test(arguments: [404, 500, 503])
    func errorStatusesAreResponsesNotErrors(_ status: Int) async throws {
        try await LocalHTTPServer.withServer(responses: [.text("nope", status: status)]) { server in
            let response = try await client.send(.get(server.url()))

            #expect(response.status == status)
            #expect(response.text == "nope")
            #expect(!response.isSuccess)
        }
    }

    @Test func retryAfterSecondsOn429() async throws {
        let tooMany = LocalHTTPServer.CannedResponse.text(
            "slow down", status: 429, headers: [HTTPHeader("Retry-After", "7")]
        )
        try await LocalHTTPServer.withServer(responses: [tooMany]) { server in
            let response = try await client.send(.post(server.url(), body: Array("{}".utf8)))

            #expect(response.status == 429)
            #expect(response.retryAfter(now: Date()) == .seconds(7))
        }
    }

    @Test func retryAfterHTTPDateOn429() async throws {
        let tooMany = LocalHTTPServer.CannedResponse.text(
            "slow down", status: 429, headers: [HTTPHeader("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")]
        )
        try await LocalHTTPServer.withServer(responses: [tooMany]) { server in
            let response = try await client.send(.post(server.url(), body: Array("{}".utf8)))

            // 45 s before the date in the header.
            let now = Date(timeIntervalSince1970: 1_445_412_480 - 45)
            #expect(response.status == 429)
            #expect(response.retryAfter(now: now) == .seconds(45))
        }
    }

    @Test func redirectsAreNotFollowedByDefault() async throws {
        let redirect = LocalHTTPServer.CannedResponse(
            status: 302, headers: [HTTPHeader("Location", "/elsewhere")], body: []
        )
        try await LocalHTTPServer.withServer(responses: [redirect]) { server in
            let response = try await client.send(.get(server.url(path: "/start")))

            #expect(response.status == 302)
            #expect(response.header("location") == "/elsewhere")
            #expect(server.requests.map(\.path) == ["/start"])
        }
    }

    @Test func connectionRefusedIsAnHTTPClientErrorWithoutTheSecretPath() async throws {
        let closed = try ReservedLocalPort()
        let url = closed.url(path: "/services/T000/B000/XXXXSECRET")

        let error = try await #require(throws: HTTPClientError.self) {
            try await client.send(.post(url, body: Array("{}".utf8)))
        }

        #expect(error.kind == .couldNotConnect)
        #expect(error.code == 7)
        #expect(error.redactedURL == "http://127.0.0.1:\(closed.port)")
        for text in [error.description, String(reflecting: error), error.message] {
            #expect(!text.contains("XXXXSECRET"))
            #expect(!text.contains("/services"))
        }
        #expect(error.description.contains("127.0.0.1:\(closed.port)"))
    }

    @Test func timeoutAgainstAServerThatNeverAnswers() async throws {
        try await LocalHTTPServer.withServer(responses: [.neverAnswers]) { server in
            let error = try await #require(throws: HTTPClientError.self) {
                try await client.send(
                    .post(server.url(path: "/services/T/B/SECRET"), body: Array("{}".utf8), timeout: .milliseconds(200))
                )
            }

            #expect(error.kind == .timedOut)
            #expect(error.kind.isRetryable)
            #expect(!error.description.contains("SECRET"))
            // Sent once and never retried by the client itself. On a loaded machine the 200 ms
            // can run out before the server has read the request, so "once" is "at most once".
            #expect(server.requests.count <= 1)
        }
    }

    @Test func fiftyConcurrentRequestsAllSucceedOverFewConnections() async throws {
        try await LocalHTTPServer.withServer(responder: { request in .text("echo \(request.path)") }) { server in
            let client = client
            let results = try await withThrowingTaskGroup(of: (Int, HTTPResponse).self) { group in
                for index in 0..<50 {
                    group.addTask { (index, try await client.send(.get(server.url(path: "/n/\(index)")))) }
                }
                var results: [(Int, HTTPResponse)] = []
                for try await result in group { results.append(result) }
                return results
            }

            #expect(results.count == 50)
            for (index, response) in results {
                #expect(response.status == 200)
                #expect(response.text == "echo /n/\(index)")
            }
            let received = server.requests
            #expect(Set(received.map(\.path)).count == 50)
            // Each of the 4 lanes keeps its connection alive, so at most 4 connections were opened.
            #expect(Set(received.compactMap(\.remotePort)).count <= client.configuration.laneCount)
        }
    }

    @Test func optionsDoNotLeakBetweenRequestsOnOneLane() async throws {
        let oneLane = CurlHTTPClient(configuration: .init(laneCount: 1))
        try await LocalHTTPServer.withServer { server in
            _ = try await oneLane.send(
                .post(server.url(path: "/first"), headers: [HTTPHeader("X-Only-First", "1")], body: Array("body".utf8))
            )
            _ = try await oneLane.send(.get(server.url(path: "/second")))

            let requests = server.requests
            #expect(requests.map(\.method) == ["POST", "GET"])
            #expect(requests.last?.body.isEmpty == true)
            #expect(requests.last?.header("x-only-first") == nil)
            #expect(requests.first?.remotePort != nil)
            #expect(requests.first?.remotePort == requests.last?.remotePort, "the kept-alive connection is reused")
        }
    }

    @Test func responseBodyIsCappedAndMarkedTruncated() async throws {
        let capped = CurlHTTPClient(configuration: .init(maxResponseBodyBytes: 1000))
        let big = LocalHTTPServer.CannedResponse(body: Array(repeating: UInt8(ascii: "x"), count: 50_000))
        try await LocalHTTPServer.withServer(responses: [big, .ok]) { server in
            let response = try await capped.send(.get(server.url()))

            #expect(response.status == 200)
            #expect(response.body.count == 1000)
            #expect(response.bodyTruncated)

            // The aborted connection is not reused for the next request.
            let next = try await capped.send(.get(server.url()))
            #expect(next.text == "ok")
            #expect(!next.bodyTruncated)
        }
    }

    @Test(arguments: [
        HTTPRequest(method: "GET", url: "file:///etc/passwd"),
        HTTPRequest(method: "GET", url: "http://127.0.0.1:1/", headers: [HTTPHeader("X-A", "1\r\nX-Injected: 1")]),
        HTTPRequest(method: "GET", url: "http://127.0.0.1:1/", headers: [HTTPHeader("Bad Name", "1")]),
        HTTPRequest(method: "GET /x", url: "http://127.0.0.1:1/"),
        HTTPRequest(method: "GET", url: "http://127.0.0.1:1/", body: [1]),
    ])
    func malformedRequestsAreRefusedBeforeSending(_ request: HTTPRequest) async throws {
        let error = try await #require(throws: HTTPClientError.self) {
            try await client.send(request)
        }
        #expect(error.kind == .invalidRequest)
        #expect(!error.kind.isRetryable)
    }

    @Test func cancellationBeforeAndDuringTheTransfer() async throws {
        let oneLane = CurlHTTPClient(configuration: .init(laneCount: 1))
        try await LocalHTTPServer.withServer(responses: [.neverAnswers]) { server in
            let busy = Task { try await oneLane.send(.get(server.url(path: "/busy"), timeout: .seconds(30))) }
            try await server.waitForRequests(count: 1)
            // The only lane is busy, so this one waits in the queue; cancelling it must not wait.
            let queued = Task { try await oneLane.send(.get(server.url(path: "/queued"), timeout: .seconds(30))) }
            queued.cancel()
            await #expect(throws: CancellationError.self) { try await queued.value }

            // Mid-transfer cancellation aborts through curl's progress callback.
            busy.cancel()
            await #expect(throws: CancellationError.self) { try await busy.value }

            // The lane is free again and the cancelled request never reached the server.
            let after = try await oneLane.send(.get(server.url(path: "/after")))
            #expect(after.status == 200)
            #expect(server.requests.map(\.path) == ["/busy", "/after"])
        }
    }

    @Test func alreadyCancelledTaskThrowsWithoutSending() async throws {
        let client = client
        try await LocalHTTPServer.withServer { server in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.send(.get(server.url()))
            }

            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(server.requests.isEmpty)
        }
    }
}

@Suite("LocalHTTPServer")
struct LocalHTTPServerTests {
    @Test func waitForRequestsTimesOutWithACount() async throws {
        try await LocalHTTPServer.withServer { server in
            await #expect(throws: LocalHTTPServerError.timedOut(expected: 1, received: 0)) {
                try await server.waitForRequests(count: 1, timeout: .milliseconds(50))
            }
        }
    }

    @Test func waitForRequestsResumesWhenTheyArrive() async throws {
        let client = CurlHTTPClient()
        try await LocalHTTPServer.withServer { server in
            async let sent = [
                client.send(.get(server.url(path: "/a"))),
                client.send(.get(server.url(path: "/b"))),
            ]
            let received = try await server.waitForRequests(count: 2)
            #expect(Set(received.map(\.path)) == ["/a", "/b"])
            #expect(try await sent.map(\.status) == [200, 200])
        }
    }
}
