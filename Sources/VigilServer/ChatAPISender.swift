import Foundation
import Synchronization
import VigilChat
import VigilHTTP

/// Sends chat-platform API calls (``ChatAPIRequest``s built by ``SlackWebAPI`` and
/// ``MattermostAPI``) through the HTTP transport and reads the answers, keeping to the
/// platforms' rate limits without ever waiting:
///
/// - posts to one Slack channel are spaced by ``pacingInterval`` (Slack: "one message per
///   second per channel"); a post that comes too early is answered
///   ``ChatAPIResult/rateLimited(retryAfter:)`` with the time left, unsent;
/// - after a 429, everything in that request's ``ChatAPIRequest/rateLimitScope`` is answered the
///   same way until the platform's `Retry-After` has passed.
///
/// The outbox delivery service reschedules a rate-limited row rather than sleeping on the
/// cooperative pool. Time comes from the injected `now`, so tests step it by hand.
public final class ChatAPISender: Sendable {
    let transport: any HTTPTransport
    let now: @Sendable () -> Date
    /// The least time between two posts to the same channel.
    public let pacingInterval: Duration
    /// Each request's limit for the whole exchange.
    public let requestTimeout: Duration
    /// The wait reported after a 429 that names none (Slack and Mattermost always do).
    public let defaultRetryAfter: Duration
    /// Per pacing key or rate-limit scope: the earliest time the next request may go.
    private let notBefore = Mutex<[String: Date]>([:])
    /// Past this many keys, expired ones are dropped, so a long run over many channels stays small.
    private static let pruneThreshold = 1024

    /// - Parameters:
    ///   - transport: how requests travel (``CurlHTTPClient`` live).
    ///   - now: the wall clock; tests pass a hand-moved one.
    ///   - pacingInterval: spacing of posts per channel (default 1 s, Slack's documented pace).
    ///   - requestTimeout: limit per request (default 10 s).
    ///   - defaultRetryAfter: the wait after a 429 without a usable `Retry-After` (default 30 s).
    public init(
        transport: any HTTPTransport, now: @escaping @Sendable () -> Date, pacingInterval: Duration = .seconds(1),
        requestTimeout: Duration = .seconds(10), defaultRetryAfter: Duration = .seconds(30)
    ) {
        self.transport = transport
        self.now = now
        self.pacingInterval = pacingInterval
        self.requestTimeout = requestTimeout
        self.defaultRetryAfter = defaultRetryAfter
    }

    /// Sends `request` unless pacing or an earlier 429 says to wait, and returns the parsed
    /// answer. Never throws and never sleeps: a transport failure is a ``ChatAPIResult/failed(_:)``
    /// (retryable as ``HTTPClientError/Kind/isRetryable`` says), a wait a `.rateLimited`.
    public func send(_ request: ChatAPIRequest) async -> ChatAPIResult {
        if let wait = reserve(request) { return .rateLimited(retryAfter: wait) }
        let response: HTTPResponse
        do {
            response = try await transport.send(
                HTTPRequest(
                    method: request.method, url: request.url, headers: request.headers.map { HTTPHeader($0.name, $0.value) },
                    body: request.body, timeout: requestTimeout))
        } catch let error as HTTPClientError {
            // The error's description already holds only the URL's origin, never a header.
            return .failed(ChatAPIFailure(code: "transport", retryable: error.kind.isRetryable, summary: error.description))
        } catch {
            return .failed(
                ChatAPIFailure(code: "transport", retryable: true, summary: "\(request.platform.rawValue) API call failed: \(error)"))
        }
        let arrived = now()
        let result = request.parse(
            ChatAPIResponse(
                status: response.status, headers: response.headers.map { (name: $0.name, value: $0.value) }, body: response.body),
            now: arrived)
        guard case let .rateLimited(retryAfter) = result else { return result }
        // The platform's own reading of Retry-After also takes an HTTP date; then the default.
        let wait = retryAfter ?? response.retryAfter(now: arrived) ?? defaultRetryAfter
        hold(request.rateLimitScope, until: arrived.addingTimeInterval(wait.seconds))
        return .rateLimited(retryAfter: wait)
    }

    /// How long `request` must still wait, or `nil` when it may go now; in that case a paced
    /// request takes its channel's slot, so two concurrent posts to one channel never both go.
    private func reserve(_ request: ChatAPIRequest) -> Duration? {
        let at = now()
        return notBefore.withLock { notBefore in
            let keys = [request.rateLimitScope] + (request.pacingKey.map { [$0] } ?? [])
            let latest = keys.compactMap { notBefore[$0] }.max()
            if let latest, latest > at { return Duration.seconds(latest.timeIntervalSince(at)).roundedToMilliseconds }
            if let key = request.pacingKey {
                notBefore[key] = at.addingTimeInterval(pacingInterval.seconds)
            }
            if notBefore.count > Self.pruneThreshold { notBefore = notBefore.filter { $0.value > at } }
            return nil
        }
    }

    private func hold(_ key: String, until date: Date) {
        notBefore.withLock { notBefore in
            notBefore[key] = max(notBefore[key] ?? date, date)
        }
    }
}

extension Duration {
    /// Rounded to whole milliseconds: `Date` arithmetic near 2026 is exact only to about 0.2 µs,
    /// and a wait of 0.7500002 s reads better as 750 ms. A wait cut a hair short costs one more
    /// early call, answered here without reaching the platform.
    fileprivate var roundedToMilliseconds: Duration {
        .milliseconds(max(1, Int64((seconds * 1000).rounded())))
    }
}
