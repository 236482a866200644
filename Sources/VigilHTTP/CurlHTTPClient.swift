import CCurl
import Dispatch
import Synchronization

/// The live ``HTTPTransport``: libcurl with keep-alive, timeouts and TLS verification.
///
/// Transfers block, so they never run on Swift's cooperative pool: the client owns a fixed
/// number of *lanes*, each a serial `DispatchQueue` with its own reusable curl handle (and so
/// its own pool of kept-alive connections). A request goes to an idle lane, or waits in FIFO
/// order for the next lane to come free.
///
/// Redirects are not followed unless ``Configuration/followRedirects`` says so; only `http` and
/// `https` URLs are accepted; certificates and host names are always verified.
public final class CurlHTTPClient: HTTPTransport {
    /// Settings fixed for the client's lifetime.
    public struct Configuration: Sendable {
        /// How many transfers may run at once (each on a thread of its own). At least 1.
        public var laneCount: Int
        /// The most response-body bytes kept; the rest is not read (``HTTPResponse/bodyTruncated``).
        public var maxResponseBodyBytes: Int
        /// Sent as `User-Agent` unless a request sets its own.
        public var userAgent: String
        /// Whether to follow 3xx redirects (at most 5, http and https only).
        public var followRedirects: Bool

        /// Creates a configuration; the defaults suit posting to chat webhooks.
        public init(
            laneCount: Int = 4,
            maxResponseBodyBytes: Int = 1 << 20,
            userAgent: String = CurlHTTPClient.defaultUserAgent,
            followRedirects: Bool = false
        ) {
            self.laneCount = laneCount
            self.maxResponseBodyBytes = maxResponseBodyBytes
            self.userAgent = userAgent
            self.followRedirects = followRedirects
        }
    }

    /// The `User-Agent` sent by default.
    public static let defaultUserAgent = "vigil/0.1"

    /// The settings this client was created with.
    public let configuration: Configuration
    private let scheduler: LaneScheduler

    /// Creates a client with `configuration.laneCount` lanes; curl handles are made on first use.
    public init(configuration: Configuration = Configuration()) {
        var configuration = configuration
        configuration.laneCount = max(1, configuration.laneCount)
        configuration.maxResponseBodyBytes = max(0, configuration.maxResponseBodyBytes)
        self.configuration = configuration
        let defaults = CurlDefaults(
            userAgent: configuration.userAgent,
            followRedirects: configuration.followRedirects,
            maxResponseBodyBytes: configuration.maxResponseBodyBytes
        )
        scheduler = LaneScheduler(
            lanes: (0..<configuration.laneCount).map { Lane(index: $0, defaults: defaults) }
        )
    }

    /// Sends `request` on a lane and suspends (without blocking a thread) until it completes.
    ///
    /// Cancelling the calling task before the transfer starts throws `CancellationError` at once;
    /// cancelling it mid-transfer aborts the transfer within about a second, also with
    /// `CancellationError`.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let job = LaneScheduler.Job(id: scheduler.nextJobID(), request: request, cancel: CancelFlag())
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                scheduler.submit(job, continuation: continuation)
            }
        } onCancel: {
            scheduler.cancel(job)
        }
    }
}

/// Hands jobs to idle lanes and queues the rest.
final class LaneScheduler: Sendable {
    struct Job: Sendable {
        let id: UInt64
        let request: HTTPRequest
        let cancel: CancelFlag
    }

    private struct Waiting {
        let job: Job
        let continuation: CheckedContinuation<HTTPResponse, any Error>
    }

    private struct State {
        /// Most recently used last, so the warmest connection pool is picked first.
        var idleLanes: [Lane]
        var waiting = FIFO<Waiting>()
    }

    private let state: Mutex<State>
    private let jobCounter = Atomic<UInt64>(0)

    init(lanes: [Lane]) {
        state = Mutex(State(idleLanes: lanes.reversed()))
    }

    func nextJobID() -> UInt64 {
        jobCounter.add(1, ordering: .relaxed).newValue
    }

    func submit(_ job: Job, continuation: CheckedContinuation<HTTPResponse, any Error>) {
        enum Decision { case run(Lane), queued, cancelled }
        // The flag is checked under the lock that `cancel` takes after setting it, so a job is
        // either seen as cancelled here or found in `waiting` by `cancel`, never both.
        let decision: Decision = state.withLock { state in
            if job.cancel.isSet { return .cancelled }
            if let lane = state.idleLanes.popLast() { return .run(lane) }
            state.waiting.append(Waiting(job: job, continuation: continuation))
            return .queued
        }
        switch decision {
        case .run(let lane):
            lane.queue.async { self.drain(lane, first: Waiting(job: job, continuation: continuation)) }
        case .cancelled:
            continuation.resume(throwing: CancellationError())
        case .queued:
            break
        }
    }

    func cancel(_ job: Job) {
        job.cancel.set()
        let removed = state.withLock { state in
            state.waiting.remove { $0.job.id == job.id }
        }
        removed?.continuation.resume(throwing: CancellationError())
    }

    /// Runs on `lane.queue`: the given job, then queued ones until none is left.
    private func drain(_ lane: Lane, first: Waiting) {
        var next: Waiting? = first
        while let current = next {
            current.continuation.resume(with: lane.run(current.job))
            next = state.withLock { state in
                if let waiting = state.waiting.popFirst() { return waiting }
                state.idleLanes.append(lane)
                return nil
            }
        }
    }
}

/// One serial queue and the curl handle only it touches.
final class Lane: @unchecked Sendable {
    // @unchecked: `easy` is read and written only from blocks running on `queue`, which is serial.
    let queue: DispatchQueue
    private let defaults: CurlDefaults
    private var easy: CurlEasyHandle?

    init(index: Int, defaults: CurlDefaults) {
        queue = DispatchQueue(label: "vigil.http.lane.\(index)")
        self.defaults = defaults
    }

    /// Call only on `queue`.
    func run(_ job: LaneScheduler.Job) -> Result<HTTPResponse, any Error> {
        dispatchPrecondition(condition: .onQueue(queue))
        if job.cancel.isSet { return .failure(CancellationError()) }
        if easy == nil {
            easy = CurlEasyHandle(defaults: defaults)
        }
        guard let easy else {
            let code = CurlGlobal.initResult == CURLE_OK ? CURLE_FAILED_INIT : CurlGlobal.initResult
            return .failure(HTTPClientError.from(code, url: job.request.url))
        }
        do {
            switch try easy.perform(job.request, cancel: job.cancel) {
            case .response(let response): return .success(response)
            case .cancelled: return .failure(CancellationError())
            }
        } catch {
            return .failure(error)
        }
    }
}

/// A queue with O(1) amortised append and pop, and removal by predicate for cancellation.
struct FIFO<Element> {
    private var storage: [Element?] = []
    private var head = 0

    mutating func append(_ element: Element) {
        storage.append(element)
    }

    mutating func popFirst() -> Element? {
        while head < storage.count {
            let element = storage[head]
            storage[head] = nil
            head += 1
            if let element {
                compactIfWasteful()
                return element
            }
        }
        return nil
    }

    /// Removes and returns the first element matching `predicate`, leaving a hole `popFirst` skips.
    mutating func remove(where predicate: (Element) -> Bool) -> Element? {
        for index in head..<storage.count {
            if let element = storage[index], predicate(element) {
                storage[index] = nil
                return element
            }
        }
        return nil
    }

    private mutating func compactIfWasteful() {
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64, head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }
}
