import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import VigilConfig
import VigilCore
import VigilHTTP
import VigilStore

/// What the app needs from outside that tests replace: time, the console, outbound HTTP, logs.
public struct AppEnvironment: Sendable {
    public var now: @Sendable () -> Date
    public var console: any ConsoleSink
    public var transport: any HTTPTransport
    public var logger: Logger
    /// Called with the bound port once the server listens (port 0 in config picks a free one).
    public var onListening: @Sendable (Int) async -> Void
    /// Whether a command not answered by its platform's deadline gets a placeholder answer and
    /// its reply later (true in service). Tests of other things turn it off, so that a slow
    /// machine never changes what they see.
    public var defersSlowReplies = true
    /// Sends email pages (config `smtp:`).
    public var mail: any MailTransport = CurlMailClient()
    /// Called with the bound port of the `metrics_listen` listener once it listens.
    public var onMetricsListening: @Sendable (Int) async -> Void = { _ in }

    public init(
        now: @escaping @Sendable () -> Date = { Date() }, console: any ConsoleSink = StandardOutputConsole(),
        transport: any HTTPTransport = CurlHTTPClient(), logger: Logger = Logger(label: "vigil"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.now = now
        self.console = console
        self.transport = transport
        self.logger = logger
        self.onListening = onListening
    }
}

/// Vigil assembled: the store, the command desk, the HTTP routes, and the services (outbox
/// delivery, the clock scheduler, the on-call hand-off announcer) in one Hummingbird
/// application whose ServiceGroup stops them all on SIGTERM.
public struct VigilApp: Sendable {
    public let store: any IncidentStore
    public let desk: CommandDesk
    public let delivery: OutboxDelivery<ContinuousClock>
    public let scheduler: ClockScheduler<ContinuousClock>
    let announcer: HandoffAnnouncer<ContinuousClock>
    let digest: DigestService<ContinuousClock>
    let retention: RetentionService<ContinuousClock>
    /// Archives incident channels after resolve; `nil` when no incident gets a channel.
    public let roomArchiver: RoomArchiver<ContinuousClock>?
    let routes: InboundRoutes
    /// The background services' last cycles, for `/readyz`.
    public let health: ServiceHealth
    let configuration: VigilConfiguration
    let environment: AppEnvironment
    /// What `GET /metrics` answers: this app's own registry, never the process-wide one.
    public let metrics: VigilMetrics
    let dashboard: DashboardRoutes
    /// The port the main listener bound, once it listens (for sign-in links in local mode).
    let boundPort: BoundPort

    /// Opens the configured store (SQLite, or PostgreSQL migrated under its lock) and wires
    /// everything; nothing runs until ``run()``.
    public static func open(
        configuration: VigilConfiguration, specs: [CommandSpec], playbooks: [Playbook] = [], environment: AppEnvironment = AppEnvironment(),
        metrics: VigilMetrics = VigilMetrics()
    ) async throws -> VigilApp {
        let store = try await StoreOpener.open(
            configuration.database, durability: configuration.durability, logger: environment.logger, hooks: metrics.storeHooks)
        return try VigilApp(
            configuration: configuration, specs: specs, playbooks: playbooks, store: store, environment: environment, metrics: metrics)
    }

    /// Wires the app around a given store (tests pass one they inspect).
    public init(
        configuration: VigilConfiguration, specs: [CommandSpec], playbooks: [Playbook] = [], store: any IncidentStore,
        environment: AppEnvironment, metrics: VigilMetrics = VigilMetrics()
    ) throws {
        self.metrics = metrics
        self.configuration = configuration
        self.environment = environment
        self.store = store
        let health = ServiceHealth(started: environment.now())
        self.health = health
        var settings = DeliverySettings(
            maxAttempts: configuration.outbox.maxAttempts, baseDelay: configuration.outbox.baseDelay,
            maxDelay: configuration.outbox.maxDelay)
        settings.budget = ChannelBudget(posts: configuration.outbox.channelBudget, window: configuration.outbox.channelWindow)
        settings.lease = configuration.lease
        settings.buttons = ChatButtonSettings(publicURL: configuration.publicURL, platforms: configuration.chatPlatforms)
        let policy = configuration.policy
        let reach = configuration.reach
        let sender = ChatAPISender(transport: environment.transport, now: environment.now, requestTimeout: settings.requestTimeout)
        let poster =
            reach.apiPlatforms.isEmpty
            ? nil
            : ChatAppPoster(
                reach: reach, sender: sender, posts: store, rooms: policy.rooms.isEmpty ? nil : store, now: environment.now,
                logger: environment.logger)
        let outboxReach = OutboxReach(
            chat: poster,
            pagers: reach.pagerDuty == nil && reach.ntfy == nil && reach.smtp == nil
                ? nil
                : PagerDelivery(
                    reach: reach, transport: environment.transport, mail: environment.mail, now: environment.now,
                    requestTimeout: settings.requestTimeout),
            incidents: store)
        let delivery = OutboxDelivery(
            store: store, transport: environment.transport, channels: configuration.channels, console: environment.console,
            settings: settings, clock: ContinuousClock(), now: environment.now, logger: environment.logger,
            displayID: { policy.displayID($0) }, health: health, reach: outboxReach, metrics: metrics)
        self.delivery = delivery
        let catalog = PlaybookCatalog(playbooks)
        let scheduler = ClockScheduler(
            store: store, policy: configuration.policy, catalog: catalog, clock: ContinuousClock(), now: environment.now,
            outboxWritten: { delivery.notify() }, logger: environment.logger, lease: configuration.lease, health: health,
            metrics: metrics)
        self.scheduler = scheduler
        announcer = HandoffAnnouncer(
            store: store, policy: configuration.policy, clock: ContinuousClock(), now: environment.now,
            outboxWritten: { delivery.notify() }, logger: environment.logger)
        digest = DigestService(
            store: store, policy: configuration.policy, clock: ContinuousClock(), now: environment.now,
            outboxWritten: { delivery.notify() }, logger: environment.logger)
        retention = RetentionService(
            store: store, settings: configuration.retention, clock: ContinuousClock(), now: environment.now,
            logger: environment.logger, health: health)
        roomArchiver = poster.flatMap { poster in
            policy.rooms.isEmpty
                ? nil
                : RoomArchiver(
                    store: store, poster: poster, policy: policy, clock: ContinuousClock(), now: environment.now, logger: environment.logger
                )
        }
        var desk = CommandDesk(
            store: store, parser: CommandParser(specs: specs, policy: configuration.policy, catalog: catalog), catalog: catalog,
            now: environment.now, outboxWritten: { delivery.notify() }, clocksWritten: { scheduler.notify() },
            logger: environment.logger)
        desk.metrics = metrics
        let tokens = DashboardTokens(key: Self.dashboardKey(configuration, logger: environment.logger))
        var dashboard = DashboardRoutes(
            tokens: tokens, settings: configuration.dashboard, store: store, policy: policy, catalog: catalog,
            roles: specs.first { $0.name == Subcommand.dashboard.rawValue }?.roles ?? [.responder],
            secureCookie: configuration.publicURL?.lowercased().hasPrefix("https://") ?? false, now: environment.now,
            logger: environment.logger)
        if let oidc = configuration.dashboard.oidc, let publicURL = configuration.publicURL {
            dashboard.oidc = OIDCSignIn(settings: oidc, publicURL: publicURL, tokens: tokens, transport: environment.transport)
        }
        self.dashboard = dashboard
        let boundPort = BoundPort()
        self.boundPort = boundPort
        let listen = configuration.listen
        let publicURL = configuration.publicURL
        desk.dashboardLinks = DashboardLinks(tokens: tokens, ttl: configuration.dashboard.linkTTL) {
            if let publicURL { return publicURL }
            // Without public_url, only a server on loopback (local mode) knows its own address.
            guard listen.isLoopback, let port = boundPort.port else { return nil }
            return "http://\(ListenAddress(host: listen.host, port: port))"
        }
        self.desk = desk
        let logger = environment.logger
        let deskForPagers = desk
        let pagerDutyRoute = reach.pagerDuty?.webhookSecret.map { PagerDutyWebhookRoute(secret: $0, desk: deskForPagers, logger: logger) }
        var routes = InboundRoutes(
            desk: desk, store: store,
            adapters: try configuration.chatPlatforms.map { try $0.adapter(specs: specs, publicURL: configuration.publicURL) },
            now: environment.now, logger: environment.logger, health: health,
            laterReplies: LaterReplySender(
                store: store, outboxWritten: { delivery.notify() }, now: environment.now, logger: environment.logger),
            defersSlowReplies: environment.defersSlowReplies,
            pagerDuty: pagerDutyRoute)
        if configuration.intake.zendesk != nil || configuration.intake.webhook != nil {
            let intakeDesk = IntakeDesk(
                store: store, desk: desk, now: environment.now, outboxWritten: { delivery.notify() }, clocksWritten: { scheduler.notify() },
                logger: logger)
            routes.intake = IntakeRoutes(settings: configuration.intake, desk: intakeDesk, logger: logger)
        }
        self.routes = routes
        // A store several replicas share tells this one what the others committed.
        if let feed = store as? any StoreChangeFeed {
            feed.onChange { change in
                switch change {
                case .outbox: delivery.notify()
                case .clocks: scheduler.notify()
                }
            }
        }
    }

    /// The HTTP router alone, for in-process tests.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        routes.register(on: router)
        dashboard.register(on: router)
        // With `metrics_listen` the metrics are only on their own listener: the main one may be public.
        if configuration.metricsListen == nil { metricsRoute.register(on: router) }
        return router
    }

    private var metricsRoute: MetricsRoute {
        MetricsRoute(metrics: metrics, store: store, now: environment.now, logger: environment.logger)
    }

    /// The `metrics_listen` listener, serving `GET /metrics` alone; `nil` without the key.
    func metricsApplication() -> (any Service)? {
        guard let address = configuration.metricsListen else { return nil }
        let router = Router()
        metricsRoute.register(on: router)
        let onListening = environment.onMetricsListening
        return Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "vigil"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) }, logger: environment.logger)
    }

    /// The Hummingbird application with the services attached, serving HTTP/1 within
    /// `configuration.http`'s timeouts and connection cap.
    public func application() -> some ApplicationProtocol {
        let onListening = environment.onListening
        let boundPort = boundPort
        return Application(
            router: router(),
            server: .guardedHTTP1(limits: connectionLimits()),
            configuration: .init(
                address: .hostname(configuration.listen.host, port: configuration.listen.port), serverName: "vigil"),
            // The store first, when it is a service (PostgreSQL's pool): the group stops services
            // in reverse order, so it stops last, after everything that uses it.
            services: ((store as? any Service).map { [$0] } ?? []) + [delivery, scheduler, announcer, digest, retention]
                + (roomArchiver.map { [$0] } ?? []) + (metricsApplication().map { [$0] } ?? []) as [any Service],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                boundPort.port = port
                await onListening(port)
            },
            logger: environment.logger)
    }

    /// The key of dashboard links and sessions (see ``DashboardTokens/key(settings:credentials:)``);
    /// with no credential at all in the config, a random one, so that sign-ins end with the process.
    static func dashboardKey(_ configuration: VigilConfiguration, logger: Logger) -> [UInt8] {
        if let key = DashboardTokens.key(settings: configuration.dashboard, credentials: configuration.secrets) { return key }
        logger.notice("dashboard: no secret in the config, so sign-ins last only until Vigil restarts (set dashboard.secret)")
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// `configuration.http` for the event loops, with the cap lowered to what the process's
    /// open-file limit allows (logged, since the operator asked for more).
    func connectionLimits() -> ConnectionLimits {
        var limits = ConnectionLimits(configuration.http)
        let fileLimit = ConnectionLimits.openFileLimit(raisingTo: limits.maxConnections + ConnectionLimits.reservedDescriptors)
        let cap = ConnectionLimits.effectiveMaxConnections(configured: limits.maxConnections, fileLimit: fileLimit)
        if cap < limits.maxConnections {
            environment.logger.warning(
                "http.max_connections lowered to fit the open-file limit (raise it with ulimit -n)",
                metadata: [
                    "max_connections": "\(limits.maxConnections)", "open_file_limit": "\(fileLimit ?? 0)", "effective": "\(cap)",
                ])
            limits.maxConnections = cap
        }
        return limits
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    public func run() async throws {
        try await application().runService()
    }
}

/// The port a listener bound, set once it listens.
final class BoundPort: Sendable {
    private let value = Mutex<Int?>(nil)

    var port: Int? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
