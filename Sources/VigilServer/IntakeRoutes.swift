import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VigilConfig
import VigilCore
import VigilIntake
import VigilJSON

/// `POST /intake/zendesk` and `POST /intake/webhook`: cases other tools send, each endpoint
/// served only when `intake:` configures it.
///
/// Every request goes the same way, and each refusal writes nothing: a body over 64 KiB is a
/// 413, before anything else; a bad or stale signature a 401, checked on the raw bytes before
/// they are parsed; a body that is not a JSON object a 400; a field that is wrong (an unknown
/// type or severity, a `known_at` in the future) a 422 `{"error": …, "field": …}`. A case that
/// opens an incident is answered 201 `{"incident": "INC-7"}`, one that joins an incident 200
/// with the same shape. Logs name the source, the delivery and the incident, never a secret or
/// a title.
struct IntakeRoutes: Sendable {
    static let zendeskPath = "/intake/zendesk"
    static let webhookPath = "/intake/webhook"

    let settings: IntakeSettings
    let desk: IntakeDesk
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        if let zendesk = settings.zendesk {
            router.post(RouterPath(Self.zendeskPath)) { request, _ in await receiveZendesk(request, settings: zendesk) }
        }
        if let webhook = settings.webhook {
            router.post(RouterPath(Self.webhookPath)) { request, _ in await receiveWebhook(request, settings: webhook) }
        }
    }

    func receiveWebhook(_ request: Request, settings: WebhookIntakeSettings) async -> Response {
        let body: [UInt8]
        switch await Self.body(of: request) {
        case let .success(bytes): body = bytes
        case let .failure(refusal): return refusal.response
        }
        let id = header(request, StandardWebhookSignature.idHeader)
        do throws(IntakeSignatureError) {
            try StandardWebhookSignature.verify(
                id: id, timestamp: header(request, StandardWebhookSignature.timestampHeader),
                signature: header(request, StandardWebhookSignature.signatureHeader), body: body, secrets: settings.secrets,
                now: desk.now().timeIntervalSince1970)
        } catch {
            return unauthorized(error, source: "webhook")
        }
        let intake: IntakeCase
        do throws(IntakeBodyError) {
            intake = try IntakeCaseDecoder.decode(body)
        } catch {
            return refused(error, source: "webhook", delivery: id)
        }
        return await run(intake, afterResolve: settings.afterResolve, delivery: id, body: body)
    }

    func receiveZendesk(_ request: Request, settings: ZendeskIntakeSettings) async -> Response {
        let body: [UInt8]
        switch await Self.body(of: request) {
        case let .success(bytes): body = bytes
        case let .failure(refusal): return refusal.response
        }
        do throws(IntakeSignatureError) {
            try ZendeskSignature.verify(
                signature: header(request, ZendeskSignature.signatureHeader), timestamp: header(request, ZendeskSignature.timestampHeader),
                body: body, secrets: settings.secrets, now: desk.now().timeIntervalSince1970)
        } catch {
            return unauthorized(error, source: "zendesk")
        }
        let delivery = header(request, ZendeskSignature.invocationHeader)
        let intake: IntakeCase
        do throws(IntakeBodyError) {
            intake = try ZendeskTicketDecoder.decode(body, map: settings.map)
        } catch {
            return refused(error, source: "zendesk", delivery: delivery)
        }
        return await run(intake, afterResolve: settings.afterResolve, delivery: delivery, body: body)
    }

    // MARK: - Answers

    private func run(_ intake: IntakeCase, afterResolve: IntakeAfterResolve, delivery: String?, body: [UInt8]) async -> Response {
        var metadata: Logger.Metadata = ["source": "\(intake.source)"]
        if let delivery { metadata["delivery"] = "\(delivery)" }
        let answer: IntakeDesk.Answer
        do {
            answer = try await desk.receive(intake, afterResolve: afterResolve, delivery: delivery, body: body)
        } catch {
            metadata["error"] = "\(String(reflecting: error))"
            logger.error("intake case not saved: the store failed", metadata: metadata)
            return Self.error(.serviceUnavailable, "the store is not answering; nothing was saved, try again")
        }
        let policy = desk.desk.policy
        switch answer {
        case let .opened(number):
            metadata["incident"] = "\(policy.displayID(number))"
            logger.info("intake case opened an incident", metadata: metadata)
            return InboundRoutes.json(.object([("incident", .string(policy.displayID(number)))]), status: .created)
        case let .joined(number):
            metadata["incident"] = "\(policy.displayID(number))"
            logger.info("intake case joined an incident", metadata: metadata)
            return InboundRoutes.json(.object([("incident", .string(policy.displayID(number)))]))
        case let .refused(error):
            return unprocessable(error, metadata: metadata)
        case .reusedDeliveryID:
            logger.warning("intake delivery id reused for another body", metadata: metadata)
            return Self.error(.conflict, "this delivery id was already used for a different body")
        }
    }

    private func refused(_ error: IntakeBodyError, source: String, delivery: String?) -> Response {
        var metadata: Logger.Metadata = ["source": "\(source)"]
        if let delivery { metadata["delivery"] = "\(delivery)" }
        switch error {
        case let .malformed(reason):
            logger.notice("intake body refused: malformed", metadata: metadata)
            return Self.error(.badRequest, reason)
        case let .field(error):
            return unprocessable(error, metadata: metadata)
        }
    }

    private func unprocessable(_ error: IntakeError, metadata: Logger.Metadata) -> Response {
        var metadata = metadata
        // The field's name only: its message may quote the title.
        metadata["field"] = "\(error.field)"
        logger.notice("intake case refused", metadata: metadata)
        return InboundRoutes.json(
            .object([("error", .string(error.message)), ("field", .string(error.field))]), status: .unprocessableContent)
    }

    private func unauthorized(_ error: IntakeSignatureError, source: String) -> Response {
        logger.warning("refused unauthenticated request", metadata: ["platform": "intake:\(source)", "reason": "\(error.reason)"])
        return Self.error(.unauthorized, error.reason)
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        InboundRoutes.json(.object([("error", .string(message))]), status: status)
    }

    private func header(_ request: Request, _ name: String) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }

    /// A refusal before the body is read in full.
    struct BodyRefusal: Error {
        let response: Response
    }

    /// The raw body, at most 64 KiB: past that, a 413 without reading further.
    static func body(of request: Request) async -> Result<[UInt8], BodyRefusal> {
        do {
            var buffer = try await request.body.collect(upTo: InboundRoutes.maxBodySize)
            return .success(buffer.readBytes(length: buffer.readableBytes) ?? [])
        } catch is NIOTooManyBytesError {
            return .failure(BodyRefusal(response: error(.contentTooLarge, "request body over \(InboundRoutes.maxBodySize / 1024) KiB")))
        } catch {
            return .failure(BodyRefusal(response: Self.error(.badRequest, "could not read request body")))
        }
    }
}
