import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VigilCore
import VigilJSON
import VigilPagers

/// `POST /pagerduty/webhook`: PagerDuty's v3 webhooks, so that an acknowledgement made in
/// PagerDuty acknowledges in Vigil too. A page acknowledged anywhere stops everywhere.
///
/// The signature (`X-PagerDuty-Signature`, HMAC-SHA256 of the raw body under the subscription's
/// secret) is checked before anything is parsed: a bad one is a 401 and changes nothing. A
/// signed event Vigil does not act on (another type, an incident it did not open) is answered
/// 200, so PagerDuty does not retry it. An acknowledgement runs `ack` through the command desk
/// like any other, idempotent on the event's id, as the person PagerDuty names
/// (`pagerduty:<user id>`), who may acknowledge and do nothing else.
struct PagerDutyWebhookRoute: Sendable {
    static let path = "/pagerduty/webhook"

    let secret: String
    let desk: CommandDesk
    let logger: Logger

    func receive(_ request: Request) async -> Response {
        let body: [UInt8]
        do {
            var buffer = try await request.body.collect(upTo: InboundRoutes.maxBodySize)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            return InboundRoutes.text(.contentTooLarge, "request body over \(InboundRoutes.maxBodySize / 1024) KiB")
        } catch {
            return InboundRoutes.text(.badRequest, "could not read request body")
        }
        let signature = HTTPField.Name(PagerDutyWebhookSignature.headerName).flatMap { request.headers[$0] }
        guard PagerDutyWebhookSignature.isValid(header: signature, body: body, secret: secret) else {
            logger.warning("refused unauthenticated request", metadata: ["platform": "pagerduty"])
            return InboundRoutes.text(.unauthorized, "missing or invalid X-PagerDuty-Signature")
        }
        let event: PagerDutyWebhookEvent
        do {
            event = try PagerDutyWebhookDecoder.decode(body)
        } catch {
            return InboundRoutes.text(.badRequest, "not a PagerDuty v3 webhook: \(error)")
        }
        guard event.type == .acknowledged else { return ignored("\(event.type.rawValue) is not acted on") }
        guard let key = event.incident?.incidentKey, let number = desk.policy.incidentNumber(displayID: key) else {
            return ignored("the PagerDuty incident was not opened by Vigil")
        }
        let agent = event.agent
        let invocation = Invocation(
            platform: Invocation.pagerPlatform,
            user: UserRef(id: agent?.id ?? "pagerduty", name: agent?.summary ?? "PagerDuty", platform: Invocation.pagerPlatform),
            channelName: "pagerduty", channelID: "pagerduty", command: Invocation.incidentCommand, text: "ack \(number)",
            responseURL: nil, requestID: event.id)
        let reply = await desk.handle(invocation)
        // The reply is for a person; PagerDuty only needs to know it was received. Nothing of it
        // is logged: it may name the incident.
        let acknowledged = reply.visibility == .inChannel
        logger.info(
            acknowledged ? "acknowledged in PagerDuty" : "a PagerDuty acknowledgement changed nothing",
            metadata: ["platform": "pagerduty", "incident": "\(number)", "event": "\(event.id)"])
        return InboundRoutes.json(.object([("result", .string(acknowledged ? "acknowledged" : "unchanged"))]))
    }

    private func ignored(_ reason: String) -> Response {
        InboundRoutes.json(.object([("result", .string("ignored")), ("reason", .string(reason))]))
    }
}
