import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilHTTP
import VigilPagers

/// Sends pages to the services outside chat: PagerDuty's Events API v2 (the routing key chosen
/// by the escalation level), ntfy push, and email through SMTP. What a page says is the alert's
/// own text, already redacted for a restricted incident: a title never leaves for a third party.
final class PagerDelivery: PagerServices {
    let reach: ReachSettings
    let transport: any HTTPTransport
    let mail: any MailTransport
    let now: @Sendable () -> Date
    let requestTimeout: Duration

    init(
        reach: ReachSettings, transport: any HTTPTransport, mail: any MailTransport, now: @escaping @Sendable () -> Date,
        requestTimeout: Duration
    ) {
        self.reach = reach
        self.transport = transport
        self.mail = mail
        self.now = now
        self.requestTimeout = requestTimeout
    }

    func send(_ target: PageTarget, message: Message, incident: Int, displayID: String, severity: String?) async -> DeliveryAttempt {
        let summary = message.lines.first.map { Message(lines: [$0]).plainText } ?? displayID
        switch target {
        case let .pagerDuty(action, level):
            guard let settings = reach.pagerDuty else { return .failed("pagerduty is not configured", retryable: false) }
            guard let key = settings.routingKeys[level] else {
                return .failed("pagerduty.routing_keys has no key for level \(level)", retryable: false)
            }
            let event: PagerDutyEvent
            switch action {
            case .trigger:
                event = .trigger(
                    routingKey: key, dedupKey: displayID, summary: summary,
                    severity: severity.map(PagerDutySeverity.init(vigilSeverity:)) ?? .error, timestamp: now())
            case .acknowledge: event = .acknowledge(routingKey: key, dedupKey: displayID)
            case .resolve: event = .resolve(routingKey: key, dedupKey: displayID)
            }
            return await pagerDuty(event.request(eventsURL: settings.eventsURL))
        case let .ntfy(topic):
            guard let settings = reach.ntfy else { return .failed("ntfy is not configured", retryable: false) }
            do {
                let publication = NtfyPublication(topic: try NtfyTopic(topic), title: summary, message: message.plainText)
                return await http(try publication.request(baseURL: settings.url, accessToken: settings.token))
            } catch {
                return .failed("ntfy: \(error)", retryable: false)
            }
        case let .email(address):
            guard let settings = reach.smtp else { return .failed("smtp is not configured", retryable: false) }
            do {
                let email = try EmailMessage(
                    from: try EmailAddress(settings.from), to: [try EmailAddress(address)], subject: "[Vigil] \(summary)",
                    body: message.plainText, date: now(), incidentID: displayID)
                try await mail.send(
                    MailDelivery(
                        url: settings.url, from: settings.from, recipients: [address], message: email.rendered(),
                        username: settings.username,
                        password: settings.password))
                return .delivered
            } catch let error as MailClientError {
                return .failed("smtp: \(error)", retryable: error.isRetryable)
            } catch {
                return .failed("email: \(error)", retryable: false)
            }
        case .chat:
            return .failed("a chat page goes through the app poster", retryable: false)
        }
    }

    private func pagerDuty(_ request: PagerRequest) async -> DeliveryAttempt {
        do {
            let response = try await transport.send(Self.http(request, timeout: requestTimeout))
            switch PagerDutyEventOutcome.interpret(status: response.status, body: response.body) {
            case .accepted: return .delivered
            // PagerDuty sends no Retry-After; its docs ask for minutes, not seconds.
            case .rateLimited: return .rateLimited(.seconds(60), "PagerDuty 429")
            case let .serverError(status): return .failed("PagerDuty HTTP \(status)", retryable: true)
            case let .invalid(message, _): return .failed("PagerDuty refused the event: \(message)", retryable: false)
            case let .unexpected(status): return .failed("PagerDuty HTTP \(status)", retryable: false)
            }
        } catch let error as HTTPClientError {
            return .failed(error.description, retryable: error.kind.isRetryable)
        } catch {
            return .failed(String(describing: error), retryable: true)
        }
    }

    private func http(_ request: PagerRequest) async -> DeliveryAttempt {
        await DeliveryAttempt.sending(
            Self.http(request, timeout: requestTimeout), through: transport, now: now(), defaultRetryAfter: .seconds(30))
    }

    static func http(_ request: PagerRequest, timeout: Duration) -> HTTPRequest {
        HTTPRequest(
            method: request.method, url: request.url, headers: request.headers.map { HTTPHeader($0.name, $0.value) }, body: request.body,
            timeout: timeout)
    }
}
