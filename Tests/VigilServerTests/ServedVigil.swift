import Foundation
import Logging
import ServiceLifecycle
import VigilConfig
import VigilCore
import VigilServer
import VigilStore
import VigilTestSupport

/// Vigil serving HTTP on a free port of 127.0.0.1 for tests over real sockets, with the `http:`
/// settings they give; stopped with ``stop()``.
final class ServedVigil: Sendable {
    let port: Int
    /// The `metrics_listen` listener's port, when the test asked for one.
    let metricsPort: Int?
    let directory: URL
    private let group: ServiceGroup
    private let runTask: Task<Void, any Error>

    private init(port: Int, metricsPort: Int? = nil, directory: URL, group: ServiceGroup, runTask: Task<Void, any Error>) {
        self.port = port
        self.metricsPort = metricsPort
        self.directory = directory
        self.group = group
        self.runTask = runTask
    }

    static func start(http: HTTPSettings, metricsListen: ListenAddress? = nil) async throws -> ServedVigil {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-served-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("vigil.sqlite").path
        var configuration = VigilConfiguration(
            listen: try ListenAddress.parse("127.0.0.1:0"), database: .sqlite(path: path),
            commandsDirectory: Fixtures.repositoryRoot.appendingPathComponent("commands").path,
            playbooksDirectory: Fixtures.repositoryRoot.appendingPathComponent("playbooks").path,
            chatPlatforms: [.slack(signingSecret: TestVigil.slackSecret)], policy: Fixtures.policy, http: http)
        configuration.metricsListen = metricsListen
        var logger = Logger(label: "vigil-served-test")
        logger.logLevel = .critical
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let (metricsPorts, metricsContinuation) = AsyncStream.makeStream(of: Int.self)
        var environment = AppEnvironment(
            console: RecordingConsole(), transport: UnusedTransport(), logger: logger,
            onListening: { port in
                portContinuation.yield(port)
                portContinuation.finish()
            })
        environment.onMetricsListening = { port in
            metricsContinuation.yield(port)
            metricsContinuation.finish()
        }
        let app = try VigilApp(
            configuration: configuration, specs: try Fixtures.shippedSpecs(), playbooks: [],
            store: try SQLiteIncidentStore.open(path: path), environment: environment)
        // No signal handlers: the test process owns SIGINT and SIGTERM; stop() shuts down.
        let group = ServiceGroup(services: [app.application()], logger: logger)
        let runTask = Task {
            defer {
                portContinuation.finish()
                metricsContinuation.finish()
            }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            runTask.cancel()
            throw ServedVigilError.didNotStart
        }
        var metricsPort: Int?
        if metricsListen != nil {
            var metricsIterator = metricsPorts.makeAsyncIterator()
            metricsPort = await metricsIterator.next()
        }
        return ServedVigil(port: port, metricsPort: metricsPort, directory: directory, group: group, runTask: runTask)
    }

    /// Shuts the server down and removes its directory.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runTask.value
        try? FileManager.default.removeItem(at: directory)
    }

    /// Asks `GET /healthz` on a new connection; the response, or `nil` if none came in time.
    func healthz(within seconds: Double = 5) async throws -> String? {
        let connection = try await RawTCPConnection(port: port)
        let response = await connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            ? await connection.readResponse(within: seconds) : nil
        await connection.close()
        return response
    }

    enum ServedVigilError: Error {
        case didNotStart
    }
}
