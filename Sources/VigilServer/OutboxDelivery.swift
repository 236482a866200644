import Foundation
import Logging
import ServiceLifecycle
import VigilChat
import VigilConfig
import VigilCore
import VigilHTTP

/// How hard the delivery service tries before it dead-letters a post.
public struct DeliverySettings: Sendable, Equatable {
    /// Failed attempts (network errors, 5xx, 408) before a row is dead-lettered. 429s do not count.
    public var maxAttempts: Int
    /// The first retry waits about this long; each further one doubles it, up to `maxDelay`.
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Rows claimed per pass, and how long a claim holds before another worker may take the row.
    public var batchSize: Int = 20
    public var lease: Duration = .seconds(60)
    /// Per-request limit; also bounds how long one pass can hang on a dead endpoint.
    public var requestTimeout: Duration = .seconds(10)
    /// Wait after a 429 without a usable `Retry-After`.
    public var defaultRetryAfter: Duration = .seconds(30)
    /// Each channel's rate budget; over it alerts are folded into one summary post. `nil`: none.
    public var budget: ChannelBudget? = ChannelBudget()
    /// What posts need to render buttons (`public_url`, the Mattermost token); none by default.
    public var buttons = ChatButtonSettings()

    public init(maxAttempts: Int = 8, baseDelay: Duration = .seconds(2), maxDelay: Duration = .seconds(600)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before retry number `attempt` (1-based): exponential, with "equal jitter" so
    /// that many rows failing together do not retry together, yet never retry immediately.
    public func backoff(afterAttempt attempt: Int, jitter: Double) -> Duration {
        let exponent = min(attempt - 1, 30)
        let ceiling = min(baseDelay * (1 << exponent), maxDelay)
        let half = ceiling / 2
        return half + half * min(max(jitter, 0), 1)
    }
}

/// What one delivery pass did, for tests and logs.
public struct DeliveryPass: Sendable, Equatable {
    public var delivered: Int
    public var rescheduled: Int
    public var deadLettered: Int
    /// Rows folded into a summary post by the channel budget (delivered by coalescing).
    public var coalesced: Int

    public init(delivered: Int = 0, rescheduled: Int = 0, deadLettered: Int = 0, coalesced: Int = 0) {
        self.delivered = delivered
        self.rescheduled = rescheduled
        self.deadLettered = deadLettered
        self.coalesced = coalesced
    }
}

/// Posts outbox rows to their channels: webhooks through the HTTP transport, rendered for the
/// channel's platform, or the console; and sends deferred replies (rows with a
/// ``ReplyDestination``) to their request's own address with the stored method and body, until
/// the platform's reply window closes, when a row still pending is dead-lettered untried.
/// Retries with backoff and jitter, honours 429 `Retry-After`, dead-letters after a bounded
/// number of failures, and resumes pending rows after a restart because the rows, not this
/// object, are the source of truth.
///
/// Posts go most urgent first (legal breach, breach, escalation, warning, other), so real
/// alerts never queue behind a flood, and each channel keeps to its rate budget: alerts beyond
/// it are folded into one summary post (`…and 480 more alerts: /incident list breached`) whose
/// id the folded rows record. A legal-clock breach is never folded.
public final class OutboxDelivery<C: Clock>: Service where C.Duration == Duration {
    let store: any OutboxQueue
    let transport: any HTTPTransport
    let channels: [ChannelRole: ChannelTarget]
    let console: any ConsoleSink
    let settings: DeliverySettings
    let clock: C
    let now: @Sendable () -> Date
    let jitter: @Sendable () -> Double
    let logger: Logger
    let worker: String
    /// Where each pass is recorded for `/readyz`.
    let health: ServiceHealth?
    let displayID: @Sendable (Int) -> String
    /// Posting as an app, direct pages and redactions; none by default.
    let reach: OutboxReach
    /// Where each attempt's duration and outcome go; none in most tests.
    let metrics: VigilMetrics?
    private let signal = WakeSignal()

    /// - Parameter displayID: names an incident in a summary post (`INC-42`).
    public init(
        store: any OutboxQueue, transport: any HTTPTransport, channels: [ChannelRole: ChannelTarget],
        console: any ConsoleSink, settings: DeliverySettings, clock: C, now: @escaping @Sendable () -> Date,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }, logger: Logger,
        worker: String = "vigil-\(ProcessInfo.processInfo.processIdentifier)",
        displayID: @escaping @Sendable (Int) -> String = { "INC-\($0)" }, health: ServiceHealth? = nil, reach: OutboxReach = OutboxReach(),
        metrics: VigilMetrics? = nil
    ) {
        self.metrics = metrics
        self.health = health
        self.reach = reach
        self.displayID = displayID
        self.store = store
        self.transport = transport
        self.channels = channels
        self.console = console
        self.settings = settings
        self.clock = clock
        self.now = now
        self.jitter = jitter
        self.logger = logger
        self.worker = worker
    }

    /// Wakes the service: new rows were written.
    public func notify() { signal.notify() }

    public func run() async throws {
        await signal.runDueWork(
            clock: clock, now: now, logger: logger, name: "delivery", health: health,
            pass: {
                let pass = try await deliverDue()
                // A summary just written is due at once.
                return pass.delivered + pass.rescheduled + pass.deadLettered == settings.batchSize || pass.coalesced > 0
            },
            nextDue: { try await store.nextOutboxDue() })
    }

    /// Claims the rows due now and tries each once. Delivered rows are marked together at the
    /// end of the pass, one write instead of one per post; if the pass fails part-way, those
    /// delivered so far are still marked before the failure is passed on.
    public func deliverDue() async throws -> DeliveryPass {
        var delivered: [Int64] = []
        do {
            let pass = try await deliverDue(collecting: &delivered)
            try await store.markDelivered(delivered, at: now())
            return pass
        } catch {
            try? await store.markDelivered(delivered, at: now())
            throw error
        }
    }

    private func deliverDue(collecting delivered: inout [Int64]) async throws -> DeliveryPass {
        var pass = DeliveryPass()
        let start = now()
        let claim = try await store.claimOutbox(
            now: start, limit: settings.batchSize, worker: worker, leaseUntil: start.adding(settings.lease), budget: settings.budget)
        let rows = claim.rows
        // A 429 holds back the rest of that channel's (or platform's) rows in this pass: they
        // would only be refused too.
        var rateLimited: [String: Date] = [:]
        // A row is attempted only while its lease will outlast the attempt: past that, another
        // replica may already hold it, and posting it here could post it twice. The rest stay
        // leased until their lease ends, and go to whichever worker claims them next. (A lease
        // shorter than twice the request timeout keeps half of it for attempts.)
        let lastStart = start.adding(max(settings.lease - settings.requestTimeout, settings.lease / 2))
        for row in rows {
            guard now() < lastStart else { break }
            if let destination = row.item.destination, now() >= destination.expiresAt {
                // The platform no longer takes the address: an attempt could only be refused.
                try await store.deadLetter(row.id, attempts: row.attempts, error: "reply window expired", at: now())
                logger.error("deferred reply dead-lettered: its reply window expired", metadata: Self.metadata(row))
                pass.deadLettered += 1
                continue
            }
            let pacing = Self.pacingKey(row.item)
            if let until = rateLimited[pacing] {
                try await store.reschedule(row.id, attempts: row.attempts, nextAttemptAt: until, error: "rate limited")
                pass.rescheduled += 1
                continue
            }
            let began = ContinuousClock.now
            let attempted = await attempt(row)
            metrics?.delivery(kind: Self.metricKind(row), outcome: attempted.metricOutcome, duration: ContinuousClock.now - began)
            switch attempted {
            case .delivered:
                delivered.append(row.id)
                pass.delivered += 1
            case let .dropped(reason):
                delivered.append(row.id)
                pass.delivered += 1
                logger.info("\(Self.kind(row)) dropped unsent", metadata: Self.metadata(row).merging(["reason": "\(reason)"]) { $1 })
            case let .rateLimited(retryAfter, detail):
                let until = now().adding(retryAfter)
                rateLimited[pacing] = until
                try await store.reschedule(row.id, attempts: row.attempts, nextAttemptAt: until, error: detail)
                logger.warning(
                    "\(Self.kind(row)) rate-limited", metadata: Self.metadata(row).merging(["retry_after": "\(retryAfter)"]) { $1 })
                pass.rescheduled += 1
            case let .failed(detail, retryable):
                let attempts = row.attempts + 1
                if retryable, attempts < settings.maxAttempts {
                    let delay = settings.backoff(afterAttempt: attempts, jitter: jitter())
                    try await store.reschedule(row.id, attempts: attempts, nextAttemptAt: now().adding(delay), error: detail)
                    let retry: Logger.Metadata = ["attempt": "\(attempts)", "retry_in": "\(delay)", "error": "\(detail)"]
                    logger.warning("\(Self.kind(row)) failed; will retry", metadata: Self.metadata(row).merging(retry) { $1 })
                    pass.rescheduled += 1
                } else {
                    try await store.deadLetter(row.id, attempts: attempts, error: detail, at: now())
                    logger.error(
                        "\(Self.kind(row)) dead-lettered",
                        metadata: Self.metadata(row).merging([
                            "attempts": "\(attempts)", "incident": "\(row.item.incident.map(String.init) ?? "-")", "error": "\(detail)",
                        ]) { $1 })
                    pass.deadLettered += 1
                }
            }
        }
        for overflow in claim.overflow {
            // After the individual posts, so the summary reads as the rest of them.
            let summary = AlertSummary.item(for: overflow, displayID: displayID)
            guard let id = try await store.coalesceOutbox(overflow.ids, into: summary, worker: worker, at: now()) else { continue }
            pass.coalesced += overflow.ids.count
            logger.warning(
                "channel over its budget; alerts folded into one post",
                metadata: [
                    "channel": "\(overflow.channel.rawValue)", "folded": "\(overflow.ids.count)", "summary_row": "\(id)",
                ])
        }
        return pass
    }

    private func attempt(_ row: OutboxRow) async -> DeliveryAttempt {
        switch row.item.target {
        case let .reply(destination):
            return await send(
                HTTPRequest(
                    method: destination.method, url: destination.url, headers: [HTTPHeader("Content-Type", "application/json")],
                    body: Array(destination.body.utf8), timeout: settings.requestTimeout))
        case let .channel(channel):
            switch channels[channel] ?? .console {
            case .console:
                console.show(channel: channel.rawValue, text: row.item.message.plainText)
                return .delivered
            case let .webhook(url, format):
                return await send(
                    HTTPRequest.post(
                        url, headers: [HTTPHeader("Content-Type", "application/json")],
                        body: format.renderer(settings.buttons).webhookBody(row.item.message).serialized(), timeout: settings.requestTimeout
                    ))
            case let .chatAPI(platform, channel):
                guard let chat = reach.chat else { return .failed("\(platform) has no bot token configured", retryable: false) }
                return await chat.post(row.item.message, platform: platform, channel: channel, incident: row.item.incident)
            }
        case let .page(page):
            return await reach.page(page, row: row, displayID: displayID)
        case .redaction:
            guard let incident = row.item.incident else { return .failed("a redaction row names no incident", retryable: false) }
            // Without a bot token no post was made through an API, so there is nothing to edit.
            guard let chat = reach.chat else { return .delivered }
            return await chat.redact(incident: incident, to: row.item.message)
        case let .room(request):
            guard let incident = row.item.incident else { return .failed("a room row names no incident", retryable: false) }
            guard let chat = reach.chat else { return .failed("\(request.platform) has no bot token configured", retryable: false) }
            return await chat.room(request, incident: incident, brief: row.item.message)
        }
    }

    /// Sends `request` and sorts the outcome. Nothing here names the URL: a webhook's or a reply
    /// address's holds a credential (``HTTPClientError`` already redacts it).
    func send(_ request: HTTPRequest) async -> DeliveryAttempt {
        await DeliveryAttempt.sending(request, through: transport, now: now(), defaultRetryAfter: settings.defaultRetryAfter)
    }

    // MARK: - Naming rows in logs

    /// Rows a 429 holds back together: a channel's, one platform's replies, one medium's pages.
    private static func pacingKey(_ item: OutboxItem) -> String {
        switch item.target {
        case let .channel(channel): channel.rawValue
        case let .reply(destination): "reply:" + destination.platform
        case let .page(page): "page:" + page.target.medium
        case .redaction: "redaction"
        case let .room(request): "room:" + request.platform
        }
    }

    /// The row's kind as a metric label.
    private static func metricKind(_ row: OutboxRow) -> String {
        switch row.item.target {
        case .channel: "channel"
        case .reply: "reply"
        case .page: "page"
        case .redaction: "redaction"
        case .room: "room"
        }
    }

    private static func kind(_ row: OutboxRow) -> String {
        switch row.item.target {
        case .channel: "channel post"
        case .reply: "deferred reply"
        case .page: "page"
        case .redaction: "redaction"
        case .room: "incident channel"
        }
    }

    /// The row's id and its channel, a reply's platform or a page's medium: never a reply's
    /// address, which holds a short-lived credential, nor a page's, which names a person.
    private static func metadata(_ row: OutboxRow) -> Logger.Metadata {
        switch row.item.target {
        case let .channel(channel): ["row": "\(row.id)", "channel": "\(channel.rawValue)"]
        case let .reply(destination): ["row": "\(row.id)", "platform": "\(destination.platform)"]
        case let .page(page):
            ["row": "\(row.id)", "medium": "\(page.target.medium)", "incident": "\(row.item.incident.map(String.init) ?? "-")"]
        case .redaction, .room: ["row": "\(row.id)", "incident": "\(row.item.incident.map(String.init) ?? "-")"]
        }
    }
}
