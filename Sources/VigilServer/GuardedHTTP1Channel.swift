import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import VigilConfig

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The HTTP server's bounds on its clients, as the event loops use them (from ``HTTPSettings``).
struct ConnectionLimits: Sendable {
    var idleTimeout: TimeAmount
    var headerTimeout: TimeAmount
    var readTimeout: TimeAmount
    var maxConnections: Int

    /// File descriptors kept back from the connection cap for the database, the log, outbound
    /// webhooks and the listening socket.
    static let reservedDescriptors = 64

    init(idleTimeout: TimeAmount, headerTimeout: TimeAmount, readTimeout: TimeAmount, maxConnections: Int) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.readTimeout = readTimeout
        self.maxConnections = maxConnections
    }

    init(_ settings: HTTPSettings) {
        self.init(
            idleTimeout: Self.timeAmount(settings.idleTimeout), headerTimeout: Self.timeAmount(settings.headerTimeout),
            readTimeout: Self.timeAmount(settings.readTimeout), maxConnections: settings.maxConnections)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return .nanoseconds(overflow ? .max : nanoseconds + attoseconds / 1_000_000_000)
    }

    /// The cap the process can honour with `fileLimit` descriptors: a cap above it would let the
    /// sockets use up the descriptors before the cap is reached, and then nothing is accepted.
    static func effectiveMaxConnections(configured: Int, fileLimit: Int?) -> Int {
        guard let fileLimit else { return configured }
        return max(1, min(configured, fileLimit - reservedDescriptors))
    }

    /// The process's soft limit on open files, first raised toward the hard limit when it is
    /// below `wanted` (as Go's runtime does; only the hard limit needs an administrator); `nil`
    /// when there is no limit.
    static func openFileLimit(raisingTo wanted: Int) -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let target = rlim_t(clamping: max(wanted, 0))
        if limit.rlim_cur < target, limit.rlim_max > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, target)
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        // RLIM_INFINITY is all ones; its C macro does not import.
        guard limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }
}

/// Hummingbird's HTTP/1 channel with Vigil's connection bounds: every accepted connection is
/// admitted through the ``ConnectionRegistry`` (the cap) and watched by a ``ConnectionWatch``
/// (the idle, header and body timeouts).
///
/// Hummingbird 2 offers an idle timeout (`HTTP1Channel.Configuration.idleTimeout`) and an
/// accept throttle (`availableConnectionsDelegate`), but neither bounds a client that sends its
/// headers or body slowly, and the throttle stops accepting at the cap, which leaves `/healthz`
/// waiting in the backlog behind a slowloris run. So the bounds live here, around the stock
/// pipeline.
struct GuardedHTTP1Channel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let registry: ConnectionRegistry

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits, registry: ConnectionRegistry) {
        self.responder = responder
        self.limits = limits
        self.registry = registry
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let now = NIODeadline.now()
        let (admission, report) = registry.admit(channel, now: now)
        let watch: ConnectionWatch?
        switch admission {
        case let .admitted(id, evicted):
            if let evicted {
                evicted.close(promise: nil)
                if report {
                    logger.warning(
                        "connection cap reached: closing the connections that waited longest on their clients",
                        metadata: ["max_connections": "\(registry.limit)"])
                }
            }
            watch = ConnectionWatch(limits: limits, registry: registry, id: id, channel: channel, logger: logger, now: now)
            channel.closeFuture.whenComplete { [registry] _ in registry.remove(id) }
        case .refused:
            if report {
                logger.warning(
                    "connection cap reached with every connection being answered: refusing new ones with 503",
                    metadata: ["max_connections": "\(registry.limit)"])
            }
            watch = nil
        }
        // The handlers are made on this event loop and used only on it; the boxes carry them
        // through the closures that Hummingbird and NIO require to be Sendable.
        let watchBox = NIOLoopBound(watch, eventLoop: channel.eventLoop)
        let http1 = HTTP1Channel(
            responder: responder,
            configuration: .init(
                additionalChannelHandlers: watchBox.value.map { [RequestPartWatcher(watch: $0) as any RemovableChannelHandler] } ?? []))
        return http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let watch = watchBox.value
            try channel.pipeline.syncOperations.addHandler(RawBytesWatcher(watch: watch), position: .first)
            watch?.rearm()
            return value
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with Vigil's connection bounds (see ``GuardedHTTP1Channel``).
    static func guardedHTTP1(limits: ConnectionLimits) -> HTTPServerBuilder {
        let registry = ConnectionRegistry(limit: limits.maxConnections)
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(responder: responder, limits: limits, registry: registry)
        }
    }
}
