import NIOCore
import NIOHTTP1
import NIOPosix

/// The end of one keep-alive client connection's pipeline: writes one request at a time and
/// hands each complete response (status, whole body, and whether the server keeps the
/// connection open) to `onResponse`.
///
/// There is no pipelining: the engine sends the next request on a connection only after the
/// previous reply, as Slack's and most proxies' HTTP/1.1 clients do. Everything here runs on the
/// connection's event loop.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// Called on the event loop with the status code and body of each response, and false when
    /// the server closes the connection after it (`Connection: close`, as gunicorn's sync
    /// workers answer every request).
    var onResponse: ((UInt, ByteBuffer, Bool) -> Void)?
    /// Called once when the connection closes, whatever the reason.
    var onClose: (() -> Void)?

    private var context: ChannelHandlerContext?
    private var status: UInt = 0
    private var body: ByteBuffer?
    private var keepAlive = true

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes a whole request and flushes once.
    func send(_ request: SignedRequest) {
        guard let context else { return }
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            status = head.status.code
            keepAlive = head.isKeepAlive
            body = nil
        case var .body(part):
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            onResponse?(status, body ?? ByteBuffer(), keepAlive)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let close = onClose
        onClose = nil
        onResponse = nil
        close?()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or a malformed response: the connection is unusable; closing reports it once.
        context.close(promise: nil)
    }
}

/// Opens client connections to Vigil.
enum HTTPClientConnection {
    /// A connected channel with the HTTP/1.1 client codec and a ``ResponseCollector``, to Vigil,
    /// the peer, or either one's readiness probe.
    static func connect(host: String, port: Int, on eventLoop: any EventLoop) -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
            .connect(host: host, port: port)
    }

    /// One request on a fresh connection, then close: for readiness polling, where the
    /// connection attempt itself is part of what is measured.
    static func fetch(_ request: SignedRequest, host: String, port: Int, on eventLoop: any EventLoop) async throws -> (UInt, ByteBuffer) {
        let channel = try await connect(host: host, port: port, on: eventLoop).get()
        defer { channel.close(promise: nil) }
        let promise = eventLoop.makePromise(of: (UInt, ByteBuffer).self)
        try await eventLoop.submit {
            let collector = try channel.pipeline.syncOperations.handler(type: ResponseCollector.self)
            collector.onResponse = { status, body, _ in promise.succeed((status, body)) }
            collector.onClose = { promise.fail(ChannelError.ioOnClosedChannel) }
            collector.send(request)
        }.get()
        return try await promise.futureResult.get()
    }
}
