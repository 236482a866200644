import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A stand-in for Slack's incoming webhooks on 127.0.0.1: every POST gets `200 ok`, as
/// hooks.slack.com answers. Vigil's channels point here so that its outbox delivers through
/// its real path (libcurl, keep-alive, the outbox rows) instead of the console.
///
/// It counts the posts it received, so the report can say the delivery path was exercised.
final class WebhookSink: Sendable {
    let port: Int
    private let channel: any Channel
    private let counter: NIOLockedValueBox<Int>

    private init(port: Int, channel: any Channel, counter: NIOLockedValueBox<Int>) {
        self.port = port
        self.channel = channel
        self.counter = counter
    }

    /// Posts received so far.
    var received: Int { counter.withLockedValue { $0 } }

    static func start(on group: any EventLoopGroup) async throws -> WebhookSink {
        let counter = NIOLockedValueBox(0)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        return WebhookSink(port: port, channel: channel, counter: counter)
    }

    func stop() async {
        try? await channel.close()
    }

    /// Answers each request, whatever its body, once it has arrived in full.
    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let counter: NIOLockedValueBox<Int>
        private var keepAlive = true

        init(counter: NIOLockedValueBox<Int>) {
            self.counter = counter
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case let .head(head):
                keepAlive = head.isKeepAlive
            case .body:
                break
            case .end:
                counter.withLockedValue { $0 += 1 }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "text/plain")
                headers.add(name: "Content-Length", value: "2")
                if !keepAlive { headers.add(name: "Connection", value: "close") }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
                let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
                if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
            }
        }
    }
}
