import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import VigilChat
import VigilCore
import VigilJSON

/// The HTTP surface: every configured chat adapter at its paths, and health checks.
///
/// Each chat endpoint reads the raw body (at most 64 KiB), has the adapter verify it on those
/// raw bytes before anything is parsed, has it decode what was asked, and hands a command to the
/// ``CommandDesk``. Refusals here (401, 400, 413) carry a short reason and write nothing. A
/// command not answered by its platform's deadline gets the adapter's placeholder answer, and
/// its reply goes later through ``LaterReplySender``.
struct InboundRoutes: Sendable {
    /// Slack and Mattermost send a few hundred bytes; anything near this is not a slash command.
    static let maxBodySize = 64 * 1024

    let desk: CommandDesk
    let store: any IncidentQueries
    /// One per configured platform; a platform not configured has no endpoint.
    let adapters: [any ChatAdapter]
    let now: @Sendable () -> Date
    let logger: Logger
    /// The background services' last cycles, for `/readyz`.
    var health: ServiceHealth? = nil
    /// Sends replies that missed their platform's deadline.
    var laterReplies: LaterReplySender? = nil
    /// See ``AppEnvironment/defersSlowReplies``.
    var defersSlowReplies = true
    /// Commands answered with a placeholder and still running. A deferred command frees its
    /// connection while it runs on, so under overload the platform's next request would add work
    /// without bound; past this many, a late command is waited for instead, as a platform's own
    /// time-out would have it.
    let deferred = DeferredCommands(limit: 32)
    /// PagerDuty's v3 webhooks, with `pagerduty.webhook_secret`.
    var pagerDuty: PagerDutyWebhookRoute? = nil
    /// `intake:`'s endpoints, each only when configured.
    var intake: IntakeRoutes? = nil

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
        // Only Teams posts link here; without Teams it is not served.
        if adapters.contains(where: { $0.platform == "teams" }) {
            let page = CommandLinkPage(specs: desk.parser.specs)
            router.get(RouterPath(CommandLinkPage.path)) { request, _ in
                page.respond(command: request.uri.queryParameters.get("command"))
            }
        }
        if let pagerDuty {
            router.post(RouterPath(PagerDutyWebhookRoute.path)) { request, _ in await pagerDuty.receive(request) }
        }
        intake?.register(on: router)
        for adapter in adapters {
            for path in adapter.paths {
                router.post(RouterPath(path)) { request, _ in
                    await receive(request, at: path, by: adapter)
                }
            }
        }
    }

    /// The path every chat request takes: read, verify, decode, then run or answer.
    func receive(_ request: Request, at path: String, by adapter: any ChatAdapter) async -> Response {
        let body: [UInt8]
        do {
            var buffer = try await request.body.collect(upTo: Self.maxBodySize)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            return Self.text(.contentTooLarge, "request body over \(Self.maxBodySize / 1024) KiB")
        } catch {
            return Self.text(.badRequest, "could not read request body")
        }
        let headers = request.headers
        let chatRequest = ChatRequest(path: path, body: body) { name in
            HTTPField.Name(name).flatMap { headers[$0] }
        }
        let content: ChatRequestContent
        do throws(ChatRequestError) {
            try adapter.verify(chatRequest, now: now())
            content = try adapter.decode(chatRequest)
        } catch {
            switch error.kind {
            case .unauthorized:
                logger.warning(
                    "refused unauthenticated request", metadata: ["platform": "\(adapter.platform)", "reason": "\(error.reason)"])
                return Self.text(.unauthorized, error.reason)
            case .malformed:
                return Self.text(.badRequest, error.reason)
            }
        }
        switch content {
        case let .command(invocation):
            return await run(
                invocation, by: adapter, answer: { Self.json(adapter.renderer.replyBody($0)) },
                deferredAnswer: adapter.deferredAnswer, later: { adapter.laterReply($0, to: invocation) })
        case let .press(pressed):
            // A button runs the very command it carries, through the same desk; only the
            // answer differs: it updates the message that carried the button.
            var marked = pressed
            marked.isButtonPress = true
            let invocation = marked
            return await run(
                invocation, by: adapter,
                answer: { reply in
                    let answer = adapter.pressAnswer(reply, to: invocation)
                    // Queued before the answer goes, so the update is durable once the press is answered.
                    if let later = answer.later { await laterReplies?.send(later, platform: adapter.platform) }
                    return Self.answer(answer.immediate)
                },
                deferredAnswer: adapter.deferredPressAnswer, later: { adapter.laterPressReply($0, to: invocation) })
        case let .refused(reply):
            return Self.json(adapter.renderer.replyBody(reply))
        case let .handshake(answer):
            return Self.answer(answer)
        }
    }

    /// Runs `invocation` through the desk and answers with `answer(reply)`; past the adapter's
    /// deadline, answers `deferredAnswer` at once and sends `later(reply)` when the reply is ready.
    private func run(
        _ invocation: Invocation, by adapter: any ChatAdapter, answer: @escaping @Sendable (Reply) async -> Response,
        deferredAnswer: HandshakeReply, later: @escaping @Sendable (Reply) -> LaterReply?
    ) async -> Response {
        guard defersSlowReplies, let deadline = adapter.replyDeadline(for: invocation), let laterReplies else {
            return await answer(await desk.handle(invocation))
        }
        // The command runs in a task of its own, so that missing the deadline never cancels
        // it: once started, it commits or not as it would have, and its reply follows.
        let work = Task { await desk.handle(invocation) }
        if let reply = await Self.value(of: work, within: deadline) {
            return await answer(reply)
        }
        guard deferred.enter() else {
            logger.warning(
                "reply past the platform's deadline, not deferred: too many commands already deferred",
                metadata: ["platform": "\(adapter.platform)", "request": "\(adapter.platform):\(invocation.requestID)"])
            return await answer(await work.value)
        }
        logger.notice(
            "reply deferred past the platform's deadline",
            metadata: ["platform": "\(adapter.platform)", "request": "\(adapter.platform):\(invocation.requestID)"])
        Task {
            defer { deferred.leave() }
            let reply = await work.value
            guard let message = later(reply) else {
                logger.warning(
                    "a deferred reply has no way back to the user",
                    metadata: ["platform": "\(adapter.platform)", "request": "\(adapter.platform):\(invocation.requestID)"])
                return
            }
            await laterReplies.send(message, platform: adapter.platform)
        }
        return Self.answer(deferredAnswer)
    }

    /// `work`'s value if it is ready within `deadline`, else `nil` (and `work` runs on).
    ///
    /// Not a task group: a group waits for all its children, and a child waiting on `work`
    /// cannot be cancelled, so the deadline would wait for the work after all.
    static func value<T: Sendable>(of work: Task<T, Never>, within deadline: Duration) async -> T? {
        let once = FirstAnswer()
        return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let timer = Task {
                try? await Task.sleep(for: deadline)
                if once.claim() { continuation.resume(returning: nil) }
            }
            Task {
                let value = await work.value
                if once.claim() {
                    timer.cancel()
                    continuation.resume(returning: value)
                }
            }
        }
    }

    static func answer(_ answer: HandshakeReply) -> Response {
        var fields = HTTPFields()
        if let contentType = answer.contentType { fields[.contentType] = contentType }
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

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

/// Lets exactly one of two racing tasks resume a continuation.
private final class FirstAnswer: Sendable {
    private let taken = Mutex(false)

    /// True for the first caller only.
    func claim() -> Bool {
        taken.withLock { taken in
            defer { taken = true }
            return !taken
        }
    }
}

/// How many commands run on after a placeholder answer, bounded.
final class DeferredCommands: Sendable {
    private let running = Mutex(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Counts one more deferred command; false (and nothing counted) at the limit.
    func enter() -> Bool {
        running.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { running.withLock { $0 -= 1 } }
}
