import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VigilCore

/// Times every request into ``VigilMetrics``, by the route's pattern (`/slack/commands`), never
/// the raw path, so that a scan of random URLs adds one `unknown` series and not one per URL.
/// Hummingbird's own `MetricsMiddleware` would record into the process-wide `MetricsSystem`.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: VigilMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = Self.method(request.method)
        do {
            let response = try await next(request, context)
            metrics.request(
                endpoint: Self.endpoint(context), method: method, status: Int(response.status.code), duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            metrics.request(
                endpoint: Self.endpoint(context), method: method, status: Int(status.code), duration: ContinuousClock.now - start)
            throw error
        }
    }

    // The router names an unmatched request's path `NotFound`; `unknown` reads the same for both.
    private static func endpoint(_ context: Context) -> String {
        guard let path = context.endpointPath, path != "NotFound" else { return "unknown" }
        return path
    }

    // A client may send any token as a method; only the ones a route could take are labels.
    private static func method(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .delete, .patch, .options: method.rawValue
        default: "other"
        }
    }
}

/// `GET /metrics`: refreshes the store's gauges (two small aggregate reads), then answers with
/// everything recorded, in the Prometheus text format.
struct MetricsRoute: Sendable {
    static let path = "/metrics"

    let metrics: VigilMetrics
    let store: any StatusReads & MetricsReads
    let now: @Sendable () -> Date
    let logger: Logger

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get(RouterPath(Self.path)) { _, _ in await respond() }
    }

    func respond() async -> Response {
        do {
            try await metrics.refresh(from: store, now: now())
        } catch {
            // The event series are still worth a scrape; the store's gauges keep their last values.
            logger.error("metrics: store read failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        return Response(
            status: .ok, headers: [.contentType: VigilMetrics.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }
}
