import Foundation
import VigilCore
import VigilJSON

/// PagerDuty's alert severities (Events API v2 `payload.severity`).
public enum PagerDutySeverity: String, Sendable, Hashable, CaseIterable {
    case critical
    case error
    case warning
    case info

    /// The PagerDuty severity for a Vigil severity name: `sev1` → critical, `sev2` → error,
    /// `sev3` → warning, anything else (including names Vigil's config may add) → info.
    ///
    /// A function of the name rather than of config order, so renaming or adding levels never
    /// silently pages someone at a higher urgency than the three documented ones.
    public init(vigilSeverity name: String) {
        switch name.lowercased() {
        case "sev1": self = .critical
        case "sev2": self = .error
        case "sev3": self = .warning
        default: self = .info
        }
    }
}

/// One PagerDuty Events API v2 alert event: trigger, acknowledge or resolve.
///
/// Vigil uses the incident display id (`INC-42`) as `dedup_key`, so the acknowledge and resolve
/// events for an incident reach the alert its trigger opened (only through the same routing key).
/// ```swift
/// let event = PagerDutyEvent.trigger(routingKey: key, dedupKey: "INC-42", summary: "…",
///                                    severity: .init(vigilSeverity: "sev1"), timestamp: now)
/// let request = event.request(eventsURL: "https://events.pagerduty.com/v2/enqueue")
/// ```
public struct PagerDutyEvent: Sendable, Equatable {
    /// `event_action`.
    public enum Action: String, Sendable, Hashable {
        case trigger
        case acknowledge
        case resolve
    }

    /// A link attached to the alert (`links[]`).
    public struct Link: Sendable, Hashable {
        /// The URL.
        public var href: String
        /// The link text; omitted when nil.
        public var text: String?

        /// Creates a link.
        public init(href: String, text: String? = nil) {
            self.href = href
            self.text = text
        }
    }

    /// The `payload` of a trigger event.
    public struct Payload: Sendable, Equatable {
        /// The alert's title; cut to ``PagerDutyEvent/maxSummaryLength`` when rendered.
        public var summary: String
        /// The affected system; Vigil sends `vigil`.
        public var source: String
        /// How urgent the alert is.
        public var severity: PagerDutySeverity
        /// When Vigil learned of the problem, rendered as RFC 3339 UTC.
        public var timestamp: Date
        /// `payload.component`, e.g. the incident category.
        public var component: String?
        /// `payload.group`, e.g. the escalation level's name.
        public var group: String?
        /// `payload.class`, e.g. the incident type.
        public var eventClass: String?
        /// `payload.custom_details`; must be a JSON object when set.
        public var customDetails: JSONValue?

        /// Creates a payload.
        public init(
            summary: String,
            source: String = "vigil",
            severity: PagerDutySeverity,
            timestamp: Date,
            component: String? = nil,
            group: String? = nil,
            eventClass: String? = nil,
            customDetails: JSONValue? = nil
        ) {
            self.summary = summary
            self.source = source
            self.severity = severity
            self.timestamp = timestamp
            self.component = component
            self.group = group
            self.eventClass = eventClass
            self.customDetails = customDetails
        }
    }

    /// PagerDuty rejects a summary longer than this (1024 characters).
    public static let maxSummaryLength = 1024
    /// PagerDuty rejects a `dedup_key` longer than this (255 characters).
    public static let maxDedupKeyLength = 255

    /// The integration key of the service (or ruleset) to page.
    public var routingKey: String
    /// What the event does.
    public var action: Action
    /// Correlates trigger, acknowledge and resolve; Vigil's incident id.
    public var dedupKey: String
    /// Required for ``Action/trigger``, ignored for the other actions.
    public var payload: Payload?
    /// Links shown on the alert (trigger only), e.g. to the incident in Vigil.
    public var links: [Link]
    /// `client`: the name of the tool sending the event (trigger only).
    public var client: String?
    /// `client_url`: where that tool lives (trigger only).
    public var clientURL: String?

    /// Creates an event; prefer ``trigger(routingKey:dedupKey:summary:severity:timestamp:link:)``
    /// and the other factories.
    public init(
        routingKey: String,
        action: Action,
        dedupKey: String,
        payload: Payload? = nil,
        links: [Link] = [],
        client: String? = nil,
        clientURL: String? = nil
    ) {
        self.routingKey = routingKey
        self.action = action
        self.dedupKey = dedupKey
        self.payload = payload
        self.links = links
        self.client = client
        self.clientURL = clientURL
    }

    /// A trigger event with the common fields; `link` (e.g. the incident's page) becomes `links[0]`.
    public static func trigger(
        routingKey: String,
        dedupKey: String,
        summary: String,
        severity: PagerDutySeverity,
        timestamp: Date,
        link: Link? = nil
    ) -> PagerDutyEvent {
        PagerDutyEvent(
            routingKey: routingKey,
            action: .trigger,
            dedupKey: dedupKey,
            payload: Payload(summary: summary, severity: severity, timestamp: timestamp),
            links: link.map { [$0] } ?? [],
            client: "Vigil"
        )
    }

    /// An acknowledge event for the alert opened with `dedupKey`.
    public static func acknowledge(routingKey: String, dedupKey: String) -> PagerDutyEvent {
        PagerDutyEvent(routingKey: routingKey, action: .acknowledge, dedupKey: dedupKey)
    }

    /// A resolve event for the alert opened with `dedupKey`.
    public static func resolve(routingKey: String, dedupKey: String) -> PagerDutyEvent {
        PagerDutyEvent(routingKey: routingKey, action: .resolve, dedupKey: dedupKey)
    }

    // MARK: - Rendering

    /// The event as the JSON object PagerDuty expects, members in a stable order.
    ///
    /// Only a trigger carries `payload`, `links`, `client` and `client_url`: PagerDuty ignores them
    /// on acknowledge and resolve, and leaving them out keeps those bodies minimal. A trigger
    /// built without a payload is rendered without one, and PagerDuty answers 400.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("routing_key", .string(routingKey)),
            ("event_action", .string(action.rawValue)),
            ("dedup_key", .string(PagerText.truncated(dedupKey, maxUTF16: Self.maxDedupKeyLength))),
        ]
        guard action == .trigger else { return .object(members) }
        if let payload { members.append(("payload", Self.render(payload))) }
        if !links.isEmpty {
            members.append(
                (
                    "links",
                    .array(
                        links.map { link -> JSONValue in
                            var fields: [(String, JSONValue)] = [("href", .string(link.href))]
                            if let text = link.text { fields.append(("text", .string(text))) }
                            return .object(fields)
                        })
                ))
        }
        if let client { members.append(("client", .string(client))) }
        if let clientURL { members.append(("client_url", .string(clientURL))) }
        return .object(members)
    }

    /// The JSON body, UTF-8.
    public func body() -> [UInt8] {
        json.serialized()
    }

    /// The POST to the Events API (`https://events.pagerduty.com/v2/enqueue`, or a test double).
    public func request(eventsURL: String) -> PagerRequest {
        PagerRequest(
            url: eventsURL,
            headers: [PagerRequest.Header("Content-Type", "application/json")],
            body: body()
        )
    }

    private static func render(_ payload: Payload) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("summary", .string(PagerText.truncated(payload.summary, maxUTF16: maxSummaryLength))),
            ("source", .string(payload.source)),
            ("severity", .string(payload.severity.rawValue)),
            ("timestamp", .string(ISOTimestamp.string(payload.timestamp))),
        ]
        if let component = payload.component { fields.append(("component", .string(component))) }
        if let group = payload.group { fields.append(("group", .string(group))) }
        if let eventClass = payload.eventClass { fields.append(("class", .string(eventClass))) }
        if let details = payload.customDetails { fields.append(("custom_details", details)) }
        return .object(fields)
    }
}
