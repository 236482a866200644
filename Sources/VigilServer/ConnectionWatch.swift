import Logging
import NIOCore
import NIOHTTPTypes

/// One connection's timeouts, confined to its event loop.
///
/// At any moment at most one deadline applies, chosen by what the connection is doing:
/// - reading a request's body: the body must be complete `readTimeout` after the headers;
/// - some bytes of a request's headers arrived: they must be complete `headerTimeout` after the
///   first, however slowly the rest trickles in (a slowloris sender is cut off);
/// - a request is being answered: none (the answer is ours to give);
/// - nothing in progress: the connection is closed after `idleTimeout` without a request.
/// The deadlines are absolute, so a client cannot extend one by sending a byte now and then.
final class ConnectionWatch {
    private let limits: ConnectionLimits
    private let registry: ConnectionRegistry
    private let id: Int
    private let channel: any Channel
    private let logger: Logger

    /// Requests whose headers arrived and whose response has not ended.
    private var inFlight = 0
    /// When the headers of the request whose body is being read arrived.
    private var bodySince: NIODeadline?
    /// When the first byte of headers not yet complete arrived.
    private var headersSince: NIODeadline?
    /// Since when nothing has been in progress.
    private var idleSince: NIODeadline
    private var timer: Scheduled<Void>?

    init(limits: ConnectionLimits, registry: ConnectionRegistry, id: Int, channel: any Channel, logger: Logger, now: NIODeadline) {
        self.limits = limits
        self.registry = registry
        self.id = id
        self.channel = channel
        self.logger = logger
        idleSince = now
    }

    // MARK: - Events

    /// Bytes arrived from the client (before HTTP decoding).
    func bytesArrived() {
        guard bodySince == nil, headersSince == nil else { return }
        headersSince = .now()
        rearm()
    }

    /// A request's headers are complete; its body (if any) follows.
    func headersReceived() {
        let now = NIODeadline.now()
        headersSince = nil
        bodySince = now
        inFlight += 1
        rearm()
    }

    /// A request is complete: it is being answered.
    func requestEnded() {
        bodySince = nil
        // A response may already have ended (a refusal sent before the body was read).
        if inFlight > 0 { registry.setAnswering(id, true, now: .now()) }
        rearm()
    }

    /// A response is complete.
    func responseEnded() {
        inFlight = max(0, inFlight - 1)
        guard inFlight == 0 else { return }
        let now = NIODeadline.now()
        idleSince = now
        if bodySince == nil { registry.setAnswering(id, false, now: now) }
        rearm()
    }

    /// The connection closed: no more timers.
    func closed() {
        timer?.cancel()
        timer = nil
    }

    // MARK: - The deadline

    /// The deadline that applies now and what it is for, or `nil` while a request is answered.
    private var deadline: (at: NIODeadline, what: String)? {
        if let bodySince { return (bodySince + limits.readTimeout, "request body") }
        if let headersSince { return (headersSince + limits.headerTimeout, "request headers") }
        if inFlight > 0 { return nil }
        return (idleSince + limits.idleTimeout, "idle")
    }

    /// Starts (or restarts) the timer for the current deadline.
    func rearm() {
        timer?.cancel()
        timer = nil
        guard let deadline else { return }
        timer = channel.eventLoop.assumeIsolated().scheduleTask(deadline: deadline.at) { [self] in
            timer = nil
            // The state may have moved on since this was scheduled; only a deadline still in
            // force and past closes the connection.
            guard let current = self.deadline else { return }
            guard current.at <= .now() else { return rearm() }
            logger.debug("closing connection: timed out", metadata: ["waiting_for": "\(current.what)"])
            channel.close(promise: nil)
        }
    }
}

/// First in the pipeline: sees the raw bytes, so it knows when a request's headers start
/// arriving long before the HTTP decoder has a complete head to pass on. It also answers a
/// connection the cap refused with a bare 503.
final class RawBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let watch: ConnectionWatch?

    /// `watch` is `nil` for a refused connection.
    init(watch: ConnectionWatch?) {
        self.watch = watch
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard watch == nil else { return }
        let refusal = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: refusal)), promise: nil)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let watch else { return }  // refused: read nothing
        if unwrapInboundIn(data).readableBytes > 0 { watch.bytesArrived() }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch?.closed()
        context.fireChannelInactive()
    }
}

/// After the HTTP decoder: sees where each request's headers and body end, and where each
/// response ends.
final class RequestPartWatcher: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let watch: ConnectionWatch

    init(watch: ConnectionWatch) {
        self.watch = watch
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: watch.headersReceived()
        case .body: break
        case .end: watch.requestEnded()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { watch.responseEnded() }
        context.write(data, promise: promise)
    }
}
