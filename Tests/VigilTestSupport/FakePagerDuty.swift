import Crypto
import Synchronization
import VigilHTTP
import VigilJSON

/// PagerDuty's Events API v2 on 127.0.0.1: records each event posted to `/v2/enqueue` and answers
/// as PagerDuty does (202 with the event's `dedup_key`), or as scripted (429, 400, 5xx).
///
/// Also signs v3 webhook bodies the way PagerDuty does, for tests of the webhook endpoint.
public final class FakePagerDuty: Sendable {
    /// One scripted answer.
    public enum Answer: Sendable, Hashable {
        /// 202 `{"status":"success","message":"Event processed","dedup_key":…}`.
        case accepted
        /// 429 with an empty JSON body (PagerDuty sends no Retry-After).
        case rateLimited
        /// 400 `{"status":"invalid event","message":"Event object is invalid","errors":[reason]}`.
        case invalid(String)
        /// The given 5xx status.
        case serverError(Int)
    }

    /// The underlying server; its `requests` include anything posted elsewhere.
    public let server: LocalHTTPServer
    private let script: ScriptedAnswers

    private init(server: LocalHTTPServer, script: ScriptedAnswers) {
        self.server = server
        self.script = script
    }

    /// Starts the fake; `answers` are used in order, then every event is accepted.
    public static func start(answers: [Answer] = []) async throws -> FakePagerDuty {
        let script = ScriptedAnswers(answers)
        let server = try await LocalHTTPServer.start { request in
            guard request.method == "POST", request.path == "/v2/enqueue" else {
                return .text(#"{"status":"not found"}"#, status: 404)
            }
            return Self.response(to: request, answer: script.next())
        }
        return FakePagerDuty(server: server, script: script)
    }

    /// The Events API URL to configure: `http://127.0.0.1:<port>/v2/enqueue`.
    public var eventsURL: String { server.url(path: "/v2/enqueue") }

    /// The parsed bodies of every event posted to `/v2/enqueue`, in arrival order (unparseable
    /// bodies are left out).
    public var events: [JSONValue] {
        server.requests.filter { $0.path == "/v2/enqueue" }.compactMap { try? JSONValue.parse($0.body) }
    }

    /// Adds answers to the script.
    public func enqueue(_ answers: Answer...) {
        script.append(answers)
    }

    /// Stops the server.
    public func stop() async {
        await server.stop()
    }

    /// The headers PagerDuty would send with `body`: `X-PagerDuty-Signature: v1=<hex>` for each
    /// secret (several during rotation), plus `Content-Type: application/json`.
    ///
    /// Computed here with swift-crypto directly, independently of the code under test.
    public static func signedWebhook(body: [UInt8], secrets: [String]) -> [HTTPHeader] {
        let signatures = secrets.map { secret in
            let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
            return "v1=" + mac.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
        return [
            HTTPHeader("Content-Type", "application/json"),
            HTTPHeader("X-PagerDuty-Signature", signatures.joined(separator: ",")),
        ]
    }

    /// ``signedWebhook(body:secrets:)`` with one secret.
    public static func signedWebhook(body: [UInt8], secret: String) -> [HTTPHeader] {
        signedWebhook(body: body, secrets: [secret])
    }

    private static func response(to request: LocalHTTPServer.RecordedRequest, answer: Answer) -> LocalHTTPServer.CannedResponse {
        let json = [HTTPHeader("Content-Type", "application/json")]
        switch answer {
        case .accepted:
            let dedupKey = (try? JSONValue.parse(request.body))?["dedup_key"]?.stringValue ?? "generated-key"
            let body: JSONValue = ["status": "success", "message": "Event processed", "dedup_key": .string(dedupKey)]
            return LocalHTTPServer.CannedResponse(status: 202, headers: json, body: body.serialized())
        case .rateLimited:
            return LocalHTTPServer.CannedResponse(status: 429, headers: json, body: Array("{}".utf8))
        case .invalid(let reason):
            let body: JSONValue = [
                "status": "invalid event", "message": "Event object is invalid", "errors": [.string(reason)],
            ]
            return LocalHTTPServer.CannedResponse(status: 400, headers: json, body: body.serialized())
        case .serverError(let status):
            return LocalHTTPServer.CannedResponse(status: status, headers: json, body: Array(#"{"status":"error"}"#.utf8))
        }
    }
}

/// A queue of answers shared between a fake's request handlers and the test.
final class ScriptedAnswers: Sendable {
    private let answers: Mutex<[FakePagerDuty.Answer]>

    init(_ answers: [FakePagerDuty.Answer]) {
        self.answers = Mutex(answers)
    }

    func append(_ more: [FakePagerDuty.Answer]) {
        answers.withLock { $0.append(contentsOf: more) }
    }

    func next() -> FakePagerDuty.Answer {
        answers.withLock { $0.isEmpty ? .accepted : $0.removeFirst() }
    }
}
