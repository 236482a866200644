import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VigilChat
import VigilCore
import VigilJSON

/// The HTTP surface: slash-command endpoints for each platform, and health checks.
///
/// Each command endpoint reads the raw body (at most 64 KiB), verifies it on those raw bytes
/// before anything is parsed, decodes it, and hands the invocation to the ``CommandDesk``.
/// Refusals here (401, 400, 413) carry a short reason and write nothing.
struct InboundRoutes: Sendable {
    /// Slack and Mattermost send a few hundred bytes; anything near this is not a slash command.
    static let maxBodySize = 64 * 1024

    let desk: CommandDesk
    let store: any IncidentQueries
    let slack: SlackSignature?
    let mattermost: MattermostToken?
    let now: @Sendable () -> Date
    let logger: Logger
    /// The background services' last cycles, for `/readyz`.
    var health: ServiceHealth? = nil

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in Self.text(.ok, "ok") }
        // 503 when the store cannot be read or a background service has stopped cycling; the
        // body says which, with each service's last successful cycle.
        router.get("/readyz") { _, _ in
            var database = "ok"
            do {
                try await store.ping()
            } catch {
                logger.error("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
                database = "unavailable"
            }
            let health = health ?? ServiceHealth(started: now())
            let body = health.readiness(database: database, at: now())
            let ready = database == "ok" && health.stale(at: now()).isEmpty
            return Self.json(body, status: ready ? .ok : .serviceUnavailable)
        }
        router.post("/slack/commands") { request, _ in
            await slackCommand(request)
        }
        router.post("/mattermost/commands") { request, _ in
            await mattermostCommand(request)
        }
    }

    func slackCommand(_ request: Request) async -> Response {
        guard let slack else { return Self.text(.notFound, "Slack is not configured") }
        return await command(request, platform: "slack", renderer: SlackRenderer()) { body, _ in
            try slack.verify(
                timestamp: request.headers[Self.slackTimestamp], signature: request.headers[Self.slackSignature],
                body: body, now: now())
        }
    }

    func mattermostCommand(_ request: Request) async -> Response {
        guard let mattermost else { return Self.text(.notFound, "Mattermost is not configured") }
        return await command(request, platform: "mattermost", renderer: MattermostRenderer()) { _, form in
            try mattermost.verify(authorization: request.headers[.authorization], formToken: form()["token"])
        }
    }

    /// The common path. `verify` gets the raw body and a lazily decoded form (Mattermost's token
    /// may be in it); it throws ``ChatRequestError`` to refuse.
    private func command(
        _ request: Request, platform: String, renderer: some ChatRenderer,
        verify: (_ body: [UInt8], _ form: () throws -> FormBody) throws -> Void
    ) async -> Response {
        let body: [UInt8]
        do {
            var buffer = try await request.body.collect(upTo: Self.maxBodySize)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            return Self.text(.contentTooLarge, "request body over \(Self.maxBodySize / 1024) KiB")
        } catch {
            return Self.text(.badRequest, "could not read request body")
        }
        do {
            var decoded: FormBody?
            let form = { () throws -> FormBody in
                if let decoded { return decoded }
                let parsed = try FormBody(decoding: body)
                decoded = parsed
                return parsed
            }
            try verify(body, form)
            let fields = try form()
            if SlashCommandDecoder.isSSLCheck(fields) { return Response(status: .ok) }
            let invocation = try SlashCommandDecoder.decode(fields, platform: platform)
            let reply = await desk.handle(invocation)
            return Self.json(renderer.replyBody(reply))
        } catch let error as ChatRequestError {
            switch error.kind {
            case .unauthorized:
                logger.warning("refused unauthenticated request", metadata: ["platform": "\(platform)", "reason": "\(error.reason)"])
                return Self.text(.unauthorized, error.reason)
            case .malformed:
                return Self.text(.badRequest, error.reason)
            }
        } catch {
            // Only ChatRequestError is thrown above; anything else is a bug, reported without detail.
            logger.error("unexpected error decoding a command", metadata: ["error": "\(String(reflecting: error))"])
            return Self.text(.badRequest, "malformed request")
        }
    }

    static let slackTimestamp = HTTPField.Name("X-Slack-Request-Timestamp")!
    static let slackSignature = HTTPField.Name("X-Slack-Signature")!

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }
}
