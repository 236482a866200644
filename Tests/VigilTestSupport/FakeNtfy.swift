import Synchronization
import VigilHTTP
import VigilJSON

/// An ntfy server on 127.0.0.1: records each publication and answers 200 with a message JSON,
/// as ntfy does; answers scripted with ``enqueue(_:)`` come first (e.g. 429, 403).
///
/// Understands both publish forms: JSON to the root URL (`POST /` with `{"topic": …}`) and the
/// header form (`POST /<topic>` with `Title:` and friends), so a test sees what ntfy would.
public final class FakeNtfy: Sendable {
    /// One publication as ntfy would understand it.
    public struct Publication: Sendable, Equatable {
        /// The topic, from the JSON body or the path.
        public var topic: String
        /// The request's headers, names lowercased.
        public var headers: [HTTPHeader]
        /// The raw request body.
        public var body: [UInt8]
        /// The body parsed as JSON, for the JSON form; nil for the header form.
        public var json: JSONValue?

        /// The value of the first header called `name` (case-insensitive), or nil.
        public func header(_ name: String) -> String? {
            let wanted = name.lowercased()
            return headers.first { $0.name == wanted }?.value
        }
    }

    /// The underlying server.
    public let server: LocalHTTPServer
    private let script: ScriptedResponses

    private init(server: LocalHTTPServer, script: ScriptedResponses) {
        self.server = server
        self.script = script
    }

    /// Appends answers to the script (used before the default 200).
    public func enqueue(_ responses: LocalHTTPServer.CannedResponse...) {
        script.append(responses)
    }

    /// Starts the fake; `responses` are used in order, then every publication gets 200.
    public static func start(responses: [LocalHTTPServer.CannedResponse] = []) async throws -> FakeNtfy {
        let script = ScriptedResponses(responses)
        let server = try await LocalHTTPServer.start { request in
            if let scripted = script.next() { return scripted }
            guard request.method == "POST" || request.method == "PUT", let publication = Self.publication(from: request) else {
                return .text(#"{"code":40010,"http":400,"error":"invalid request"}"#, status: 400)
            }
            let answer: JSONValue = [
                "id": "fakeid0001", "time": 1_795_902_000, "event": "message", "topic": .string(publication.topic),
            ]
            return LocalHTTPServer.CannedResponse(
                status: 200, headers: [HTTPHeader("Content-Type", "application/json")], body: answer.serialized())
        }
        return FakeNtfy(server: server, script: script)
    }

    /// The server's base URL to configure, `http://127.0.0.1:<port>`.
    public var baseURL: String { server.url(path: "") }

    /// Every publication received, in arrival order (requests that are not one are left out).
    public var publications: [Publication] {
        server.requests.compactMap(Self.publication(from:))
    }

    /// Stops the server.
    public func stop() async {
        await server.stop()
    }

    private static func publication(from request: LocalHTTPServer.RecordedRequest) -> Publication? {
        if request.path == "/" {
            guard let json = try? JSONValue.parse(request.body), let topic = json["topic"]?.stringValue else { return nil }
            return Publication(topic: topic, headers: request.headers, body: request.body, json: json)
        }
        let topic = String(request.path.dropFirst().prefix { $0 != "?" })
        guard !topic.isEmpty, !topic.contains("/") else { return nil }
        return Publication(topic: topic, headers: request.headers, body: request.body, json: nil)
    }
}

/// Scripted canned responses shared between the handlers and the test.
final class ScriptedResponses: Sendable {
    private let responses: Mutex<[LocalHTTPServer.CannedResponse]>

    init(_ responses: [LocalHTTPServer.CannedResponse]) {
        self.responses = Mutex(responses)
    }

    func append(_ more: [LocalHTTPServer.CannedResponse]) {
        responses.withLock { $0.append(contentsOf: more) }
    }

    func next() -> LocalHTTPServer.CannedResponse? {
        responses.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}
