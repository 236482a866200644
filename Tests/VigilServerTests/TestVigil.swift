import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing
import VigilChat
import VigilConfig
import VigilCore
import VigilHTTP
import VigilJSON
import VigilServer
import VigilStore
import VigilTestSupport

/// Channel posts shown on the console, recorded.
final class RecordingConsole: ConsoleSink {
    private let posts = Mutex<[(channel: String, text: String)]>([])

    func show(channel: String, text: String) {
        posts.withLock { $0.append((channel, text)) }
    }

    var all: [(channel: String, text: String)] { posts.withLock { $0 } }
}

/// A wall clock tests move by hand.
final class ManualWallClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// An HTTP transport that must not be used: tests that post nothing to webhooks prove it.
struct UnusedTransport: HTTPTransport {
    func send(_ request: VigilHTTP.HTTPRequest) async throws -> VigilHTTP.HTTPResponse {
        Issue.record("unexpected outbound request")
        return VigilHTTP.HTTPResponse(status: 599)
    }
}

/// A Vigil app over a fresh SQLite database in a temporary directory, with a manual clock and a
/// recording console, exercised in-process through Hummingbird's router test client.
struct TestVigil {
    static let slackSecret = "test-signing-secret"
    static let mattermostToken = "qzgakf1nx3yt9dr4n8585ihbxy"

    let directory: URL
    let store: SQLiteIncidentStore
    let app: VigilApp
    let clock: ManualWallClock
    let console: RecordingConsole

    /// - Parameters:
    ///   - realTime: use the real wall clock (for tests of the running scheduler) instead of the manual one.
    ///   - directory: reuse a directory (and its database) to simulate a restart.
    ///   - start: where the manual clock starts.
    ///   - storeHooks: seams into the store's writer and readers.
    ///   - chatPlatforms: the platforms served (both, with the secrets above, unless a test says otherwise).
    init(
        channels: [ChannelRole: ChannelTarget] = [:], transport: any HTTPTransport = UnusedTransport(), policy: Policy = Fixtures.policy,
        realTime: Bool = false, directory existing: URL? = nil, start: Date = Fixtures.t0, storeHooks: StoreHooks = StoreHooks(),
        chatPlatforms: [ChatPlatformSettings] = [
            .slack(signingSecret: TestVigil.slackSecret), .mattermost(token: TestVigil.mattermostToken),
        ],
        defersSlowReplies: Bool = false, publicURL: String? = nil, reach: ReachSettings = ReachSettings(),
        mail: (any MailTransport)? = nil, intake: IntakeSettings = IntakeSettings(), logger: Logger? = nil,
        metrics: VigilMetrics = VigilMetrics(), dashboard: DashboardSettings = DashboardSettings()
    ) throws {
        directory = existing ?? FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The store's groups go to the app's metrics, as `VigilApp.open` wires them.
        var hooks = storeHooks
        hooks.groupFinished = hooks.groupFinished ?? metrics.storeHooks.groupFinished
        store = try SQLiteIncidentStore.open(
            path: directory.appendingPathComponent("vigil.sqlite").path, durability: .normal, hooks: hooks)
        clock = ManualWallClock(start)
        console = RecordingConsole()
        var configuration = VigilConfiguration(
            database: .sqlite(path: directory.appendingPathComponent("vigil.sqlite").path),
            commandsDirectory: Fixtures.repositoryRoot.appendingPathComponent("commands").path,
            playbooksDirectory: Fixtures.repositoryRoot.appendingPathComponent("playbooks").path,
            chatPlatforms: chatPlatforms, channels: channels,
            outbox: OutboxSettings(maxAttempts: 3, baseDelay: .seconds(2), maxDelay: .seconds(60)), policy: policy)
        configuration.publicURL = publicURL
        configuration.reach = reach
        configuration.intake = intake
        configuration.dashboard = dashboard
        // As config loading does: what the reach settings make possible is the core's paging.
        if reach != ReachSettings() { configuration.policy.paging = reach.paging }
        let clock = clock
        let now: @Sendable () -> Date
        if realTime { now = { Date() } } else { now = { clock.now } }
        var quiet = Logger(label: "vigil-test")
        quiet.logLevel = .critical
        var environment = AppEnvironment(now: now, console: console, transport: transport, logger: logger ?? quiet)
        environment.defersSlowReplies = defersSlowReplies
        if let mail { environment.mail = mail }
        app = try VigilApp(
            configuration: configuration, specs: try Fixtures.shippedSpecs(), playbooks: try Fixtures.shippedPlaybooks(), store: store,
            environment: environment, metrics: metrics)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a client for the app's router.
    func withClient<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await Application(router: app.router()).test(.router, body)
    }

    /// Runs `body` with a client that reaches the app over real HTTP on a free loopback port.
    func withLiveClient<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await Application(router: app.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live, body)
    }

    /// A slash-command body as Slack sends it.
    static func slackForm(_ text: String, user: UserRef = Fixtures.ava, trigger: String = UUID().uuidString, channel: String = "C1")
        -> [UInt8]
    {
        Array(
            FormBody(fields: [
                ("token", "legacy"), ("team_id", "T1"), ("channel_id", channel), ("channel_name", "ts-incidents"),
                ("user_id", user.id), ("user_name", user.name), ("command", "/incident"), ("text", text),
                ("response_url", "https://hooks.slack.com/commands/T1/1/x"), ("trigger_id", trigger),
            ]).encoded().utf8)
    }

    /// Headers that sign `body` at the test clock's time.
    func slackHeaders(for body: [UInt8], secret: String = slackSecret, timestamp: Date? = nil) -> HTTPFields {
        let ts = String(Int64((timestamp ?? clock.now).timeIntervalSince1970))
        return [
            .contentType: "application/x-www-form-urlencoded",
            HTTPField.Name("X-Slack-Request-Timestamp")!: ts,
            HTTPField.Name("X-Slack-Signature")!: SlackSignature(signingSecret: secret).sign(timestamp: ts, body: body),
        ]
    }

    /// Sends a signed Slack command and returns the status and parsed JSON reply.
    func slack(
        _ text: String, as user: UserRef = Fixtures.ava, trigger: String = UUID().uuidString, channel: String = "C1",
        client: any TestClientProtocol
    ) async throws -> (HTTPResponse.Status, VigilJSONReply) {
        let body = Self.slackForm(text, user: user, trigger: trigger, channel: channel)
        let response = try await client.execute(
            uri: "/slack/commands", method: .post, headers: slackHeaders(for: body), body: ByteBuffer(bytes: body))
        return (response.status, VigilJSONReply(response.body))
    }
}

/// A reply body as the tests read it.
struct VigilJSONReply {
    var responseType: String?
    var text: String
    var raw: String

    init(_ buffer: ByteBuffer) {
        raw = String(buffer: buffer)
        let json = try? JSONValue.parse(raw)
        responseType = json?["response_type"]?.stringValue
        text = json?["text"]?.stringValue ?? raw
    }
}
