import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import VigilHTTP

/// A real HTTP/1.1 server on 127.0.0.1 for tests: records every request and answers from a script.
///
/// ```swift
/// let server = try await LocalHTTPServer.start()
/// server.enqueue(.init(status: 429, headers: [HTTPHeader("Retry-After", "3")]))
/// _ = try await client.send(.get(server.url(path: "/hook")))
/// #expect(server.requests.first?.path == "/hook")
/// await server.stop()
/// ```
///
/// Built on Hummingbird's `Application` with port 0, so parallel tests never collide.
public final class LocalHTTPServer: Sendable {
    /// A request as the server received it.
    public struct RecordedRequest: Sendable, Hashable {
        /// The method, e.g. `"POST"`.
        public var method: String
        /// The request target: path plus `?query` if any, e.g. `/hook?x=1`.
        public var path: String
        /// Header fields in the order received, names lowercased.
        public var headers: [HTTPHeader]
        /// The request body.
        public var body: [UInt8]
        /// The client's TCP port: equal for two requests that shared one kept-alive connection.
        public var remotePort: Int?

        /// The value of the first header called `name` (case-insensitive), or nil.
        public func header(_ name: String) -> String? {
            let wanted = name.lowercased()
            return headers.first { $0.name == wanted }?.value
        }

        /// The body decoded as UTF-8.
        public var text: String {
            String(decoding: body, as: UTF8.self)
        }
    }

    /// What the server answers with.
    public struct CannedResponse: Sendable, Hashable {
        /// The status code.
        public var status: Int
        /// Header fields to send; `Content-Length` is added automatically.
        public var headers: [HTTPHeader]
        /// The response body.
        public var body: [UInt8]
        /// When true the server sends nothing until ``LocalHTTPServer/stop()``: a server that hangs.
        public var holdsUntilStopped: Bool

        /// Creates a response; the default is `200` with body `ok`.
        public init(
            status: Int = 200,
            headers: [HTTPHeader] = [],
            body: [UInt8] = Array("ok".utf8),
            holdsUntilStopped: Bool = false
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.holdsUntilStopped = holdsUntilStopped
        }

        /// A response whose body is `text` (UTF-8).
        public static func text(_ text: String, status: Int = 200, headers: [HTTPHeader] = []) -> CannedResponse {
            CannedResponse(status: status, headers: headers, body: Array(text.utf8))
        }

        /// `200 ok`, what the server answers when its script is empty.
        public static let ok = CannedResponse()

        /// Never answers (until the server stops): for client timeout tests.
        public static let neverAnswers = CannedResponse(status: 503, body: [], holdsUntilStopped: true)
    }

    /// Decides the answer to one request; runs concurrently for concurrent requests.
    public typealias Responder = @Sendable (RecordedRequest) async throws -> CannedResponse

    /// The port the server listens on (127.0.0.1).
    public let port: Int
    private let state: ServerState
    private let serviceGroup: ServiceGroup
    private let runTask: Task<Void, any Error>

    private init(port: Int, state: ServerState, serviceGroup: ServiceGroup, runTask: Task<Void, any Error>) {
        self.port = port
        self.state = state
        self.serviceGroup = serviceGroup
        self.runTask = runTask
    }

    deinit {
        // A test that forgot stop() must not leave a listener running for the rest of the process.
        runTask.cancel()
    }

    /// Starts a server on 127.0.0.1 with a free port and returns once it accepts connections.
    ///
    /// - Parameter responder: answers each request; nil answers from the script
    ///   (``enqueue(_:)``), and `200 ok` when the script is empty.
    public static func start(responder: Responder? = nil) async throws -> LocalHTTPServer {
        let state = ServerState()
        let answer: Responder = responder ?? { _ in state.nextScripted() }
        let handler = CallbackResponder<RecordingContext> { request, context in
            var request = request
            let body = try await request.collectBody(upTo: 16 << 20)
            let recorded = RecordedRequest(
                method: request.method.rawValue,
                path: request.uri.string,
                headers: request.headers.map { HTTPHeader(name: $0.name.canonicalName, value: $0.value) },
                body: Array(body.readableBytesView),
                remotePort: context.remotePort
            )
            state.record(recorded)
            let canned = try await answer(recorded)
            if canned.holdsUntilStopped {
                await state.holdUntilStopped()
            }
            return canned.hummingbirdResponse
        }

        var logger = Logger(label: "LocalHTTPServer")
        logger.logLevel = .error
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: handler,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        // No signal handlers: the test process owns SIGINT/SIGTERM, and stop() shuts down.
        let serviceGroup = ServiceGroup(services: [app], logger: logger)
        let runTask = Task {
            // Finishing the stream also when run() fails lets start() report the error.
            defer { portContinuation.finish() }
            try await serviceGroup.run()
        }

        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            runTask.cancel()
            try await runTask.value
            throw LocalHTTPServerError.didNotStart
        }
        return LocalHTTPServer(port: port, state: state, serviceGroup: serviceGroup, runTask: runTask)
    }

    /// Starts a server that answers with `responses` in order, then `200 ok`.
    public static func start(responses: [CannedResponse]) async throws -> LocalHTTPServer {
        let server = try await start()
        server.enqueue(responses)
        return server
    }

    /// Runs `body` with a started server and stops the server afterwards, also when `body` throws.
    ///
    /// - Parameters:
    ///   - responses: the initial script, answered in order, then `200 ok`.
    ///   - responder: answers each request instead of the script, when given.
    @discardableResult
    public static func withServer<T>(
        responses: [CannedResponse] = [],
        responder: Responder? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (LocalHTTPServer) async throws -> T
    ) async throws -> T {
        let server = try await start(responder: responder)
        server.enqueue(responses)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// `http://127.0.0.1:<port><path>`; `path` should start with `/`.
    public func url(path: String = "/") -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] {
        state.requests
    }

    /// Appends answers to the script used when the server was started without a responder.
    public func enqueue(_ responses: CannedResponse...) {
        enqueue(responses)
    }

    /// Appends answers to the script used when the server was started without a responder.
    public func enqueue(_ responses: [CannedResponse]) {
        state.enqueue(responses)
    }

    /// Suspends until at least `count` requests have arrived; returns all received so far.
    ///
    /// - Throws: ``LocalHTTPServerError/timedOut(expected:received:)`` after `timeout`, or
    ///   ``LocalHTTPServerError/stopped`` if the server stops first.
    @discardableResult
    public func waitForRequests(count: Int, timeout: Duration = .seconds(10)) async throws -> [RecordedRequest] {
        let state = state
        return try await withThrowingTaskGroup(of: [RecordedRequest].self) { group in
            group.addTask { try await state.requests(atLeast: count) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw LocalHTTPServerError.timedOut(expected: count, received: state.requests.count)
            }
            defer { group.cancelAll() }
            guard let received = try await group.next() else { throw CancellationError() }
            return received
        }
    }

    /// Releases held requests, then shuts down gracefully: stops listening, lets in-flight
    /// requests finish, closes connections, and returns when all that is done.
    public func stop() async {
        state.stop()
        await serviceGroup.triggerGracefulShutdown()
        _ = await runTask.result
    }
}

/// Why ``LocalHTTPServer`` could not do what a test asked.
public enum LocalHTTPServerError: Error, Sendable, Hashable {
    /// The server did not report a listening port.
    case didNotStart
    /// ``LocalHTTPServer/waitForRequests(count:timeout:)`` gave up.
    case timedOut(expected: Int, received: Int)
    /// The server stopped while a test was still waiting for requests.
    case stopped
}

/// Records the peer's port so tests can tell whether connections were reused.
private struct RecordingContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remotePort: Int?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remotePort = source.channel.remoteAddress?.port
    }
}

extension LocalHTTPServer.CannedResponse {
    fileprivate var hummingbirdResponse: Response {
        var fields = HTTPFields()
        for header in headers {
            guard let name = HTTPField.Name(header.name) else {
                preconditionFailure("invalid header name in a canned response: \(header.name)")
            }
            fields.append(HTTPField(name: name, value: header.value))
        }
        return Response(
            status: .init(code: status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

/// Everything the request handlers and the test share, behind one lock.
private final class ServerState: Sendable {
    private struct CountWaiter {
        let count: Int
        let continuation: CheckedContinuation<[LocalHTTPServer.RecordedRequest], any Error>
    }

    private struct Inner {
        var requests: [LocalHTTPServer.RecordedRequest] = []
        var script: [LocalHTTPServer.CannedResponse] = []
        var countWaiters: [UInt64: CountWaiter] = [:]
        var holds: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var stopped = false
        var nextID: UInt64 = 0

        mutating func makeID() -> UInt64 {
            nextID += 1
            return nextID
        }
    }

    private let inner = Mutex(Inner())

    var requests: [LocalHTTPServer.RecordedRequest] {
        inner.withLock { $0.requests }
    }

    func enqueue(_ responses: [LocalHTTPServer.CannedResponse]) {
        inner.withLock { $0.script.append(contentsOf: responses) }
    }

    func nextScripted() -> LocalHTTPServer.CannedResponse {
        inner.withLock { $0.script.isEmpty ? .ok : $0.script.removeFirst() }
    }

    func record(_ request: LocalHTTPServer.RecordedRequest) {
        let (satisfied, snapshot) = inner.withLock { inner in
            inner.requests.append(request)
            let count = inner.requests.count
            let ready = inner.countWaiters.filter { $0.value.count <= count }
            for id in ready.keys { inner.countWaiters[id] = nil }
            return (Array(ready.values), inner.requests)
        }
        for waiter in satisfied { waiter.continuation.resume(returning: snapshot) }
    }

    func requests(atLeast count: Int) async throws -> [LocalHTTPServer.RecordedRequest] {
        let id = inner.withLock { $0.makeID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Deciding under the lock closes the race with record(), stop() and cancellation:
                // Task.isCancelled is already true when onCancel runs.
                let immediate: Result<[LocalHTTPServer.RecordedRequest], any Error>? = inner.withLock { inner in
                    if inner.requests.count >= count { return .success(inner.requests) }
                    if inner.stopped { return .failure(LocalHTTPServerError.stopped) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    inner.countWaiters[id] = CountWaiter(count: count, continuation: continuation)
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = inner.withLock { $0.countWaiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    func holdUntilStopped() async {
        let id = inner.withLock { $0.makeID() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = inner.withLock { inner in
                    if inner.stopped || Task.isCancelled { return true }
                    inner.holds[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let hold = inner.withLock { $0.holds.removeValue(forKey: id) }
            hold?.resume()
        }
    }

    func stop() {
        let (holds, waiters) = inner.withLock { inner in
            inner.stopped = true
            defer {
                inner.holds.removeAll()
                inner.countWaiters.removeAll()
            }
            return (Array(inner.holds.values), Array(inner.countWaiters.values))
        }
        for hold in holds { hold.resume() }
        for waiter in waiters { waiter.continuation.resume(throwing: LocalHTTPServerError.stopped) }
    }
}
