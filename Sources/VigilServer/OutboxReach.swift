import Foundation
import VigilCore
import VigilHTTP

/// How one attempt to send an outbox row ended.
public enum DeliveryAttempt: Sendable, Equatable {
    case delivered
    /// Not sent and never to be: the row is moot (a page about an acknowledgement, and the
    /// incident has been acknowledged since). The row is finished as delivered.
    case dropped(String)
    /// Refused for now (HTTP 429, or the channel's pace): try again after the wait.
    case rateLimited(Duration, String)
    case failed(String, retryable: Bool)

    /// Sends `request` and sorts the outcome: 2xx delivered; 429 rate-limited for its
    /// `Retry-After` (or `defaultRetryAfter`); 408 and 5xx retried; any other status final.
    /// Nothing here names the URL: a webhook's or a reply address's holds a credential
    /// (``HTTPClientError`` already redacts it).
    static func sending(
        _ request: HTTPRequest, through transport: any HTTPTransport, now: Date, defaultRetryAfter: Duration
    ) async -> DeliveryAttempt {
        do {
            let response = try await transport.send(request)
            switch response.status {
            case 200..<300:
                return .delivered
            case 429:
                return .rateLimited(response.retryAfter(now: now) ?? defaultRetryAfter, "HTTP 429")
            case 408, 500...:
                return .failed("HTTP \(response.status)", retryable: true)
            default:
                // 400 invalid_payload, 403 action_prohibited, 404 no_service; for a reply, 401/404
                // an expired token or a body the platform refuses: retrying cannot help.
                return .failed("HTTP \(response.status): \(String(response.text.prefix(200)))", retryable: false)
            }
        } catch let error as HTTPClientError {
            return .failed(error.description, retryable: error.kind.isRetryable)
        } catch {
            return .failed(String(describing: error), retryable: true)
        }
    }
}

/// Posts as an app through a platform's API (Slack with a bot token, Mattermost with a bot
/// account): channel posts, threaded under the incident's first post in that channel; direct
/// messages; and redactions, which edit every earlier post about an incident.
public protocol AppPoster: Sendable {
    func post(_ message: Message, platform: String, channel: String, incident: Int?) async -> DeliveryAttempt
    func directMessage(_ message: Message, to identity: Identity, incident: Int?) async -> DeliveryAttempt
    func redact(incident: Int, to message: Message) async -> DeliveryAttempt
    /// Makes sure the incident has the channel `request` describes: made if need be (a public
    /// one it had is closed when it must now be private), people invited, and in a channel just
    /// made, `brief` posted and the steps pinned.
    func room(_ request: RoomRequest, incident: Int, brief: Message) async -> DeliveryAttempt
    /// Posts `farewell` in an incident's channel and archives it.
    func archive(_ room: IncidentRoom, farewell: Message) async -> DeliveryAttempt
}

/// Sends pages to services outside chat: PagerDuty, ntfy, email.
public protocol PagerServices: Sendable {
    /// Sends `message` about the incident numbered `incident` (`displayID`, e.g. `INC-7`), whose
    /// severity is `severity` when the store could say.
    func send(_ target: PageTarget, message: Message, incident: Int, displayID: String, severity: String?) async -> DeliveryAttempt
}

/// What the delivery service needs beyond webhooks and reply addresses: an app poster, the
/// pager services and a view of incidents (to drop pages an acknowledgement made moot). Parts
/// config does not enable are `nil`; a row that needs one is dead-lettered with the reason.
public struct OutboxReach: Sendable {
    public var chat: (any AppPoster)?
    public var pagers: (any PagerServices)?
    public var incidents: (any IncidentQueries)?

    public init(chat: (any AppPoster)? = nil, pagers: (any PagerServices)? = nil, incidents: (any IncidentQueries)? = nil) {
        self.chat = chat
        self.pagers = pagers
        self.incidents = incidents
    }

    /// Sends one page, unless the incident's state made it moot: a page acknowledged anywhere
    /// stops everywhere. PagerDuty's acknowledge and resolve always go: they are what stops it.
    func page(_ page: Page, row: OutboxRow, displayID: (Int) -> String) async -> DeliveryAttempt {
        guard let number = row.item.incident else { return .failed("a page row names no incident", retryable: false) }
        // An incident the store cannot read now is paged anyway: a redundant page costs less
        // than a lost one.
        let incident = try? await incidents?.incident(number)
        if let incident, let reason = Self.moot(page, incident: incident) { return .dropped(reason) }
        switch page.target {
        case let .chat(identity):
            guard let chat else { return .failed("no bot token is configured for \(identity.platform)", retryable: false) }
            return await chat.directMessage(row.item.message, to: identity, incident: number)
        case .ntfy, .email, .pagerDuty:
            guard let pagers else { return .failed("\(page.target.medium) is not configured", retryable: false) }
            return await pagers.send(
                page.target, message: row.item.message, incident: number, displayID: displayID(number), severity: incident?.severity)
        }
    }

    /// Why the page need not go, if it need not.
    private static func moot(_ page: Page, incident: Incident) -> String? {
        if case let .pagerDuty(action, _) = page.target, action != .trigger { return nil }
        if incident.state == .resolved { return "the incident was resolved" }
        if page.endsWithAck, incident.state != .open { return "the incident was acknowledged" }
        return nil
    }
}
