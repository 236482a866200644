import Foundation
import VigilConfig
import VigilCore

/// The fixed inputs of `vigil-bench micro`, read from the repository: the example config, the
/// shipped command specs and playbooks, and the recorded slash-command bodies.
struct MicroFixtures {
    /// Slack's official signing vector (protocols.md §8.1).
    static let slackSecret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let slackTimestamp = "1531420618"
    static let slackSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    /// Mattermost's documented example token (protocols.md §2, §8.4).
    static let mattermostToken = "qzgakf1nx3yt9dr4n8585ihbxy"

    /// 2026-11-28 21:40:00 UTC, when the rendered incident is opened.
    static let t0 = Date(timeIntervalSince1970: 1_795_902_000)
    static let ava = UserRef(id: "U0AVA", name: "ava")
    static let ben = UserRef(id: "U0BEN", name: "ben")
    static let dee = UserRef(id: "U0DEE", name: "dee")

    var root: String
    var configuration: VigilConfiguration
    var specs: [CommandSpec]
    var catalog: PlaybookCatalog
    /// Form bodies by file name, byte for byte.
    var forms: [String: [UInt8]]

    var policy: Policy { configuration.policy }

    static func load() throws -> MicroFixtures {
        let root = try repositoryRoot()
        progress("fixtures from \(root)")
        let configuration = try VigilConfiguration.load(
            path: "vigil.example.yaml",
            environment: ["SLACK_SIGNING_SECRET": slackSecret, "MATTERMOST_TOKEN": mattermostToken],
            workingDirectory: root)
        let specs = try CommandSpecLoader.load(directory: configuration.commandsDirectory)
        let playbooks = try PlaybookLoader.load(
            directory: configuration.playbooksDirectory, policy: configuration.policy, roles: configuration.playbookRoles)
        var forms: [String: [UInt8]] = [:]
        for name in ["slack-official-vector.form", "slack-slash-command-mention.form", "mattermost-slash-command.form"] {
            let path = root + "/Tests/VigilChatTests/Fixtures/" + name
            guard let data = FileManager.default.contents(atPath: path) else { throw BenchmarkError("cannot read \(path)") }
            forms[name] = Array(data)
        }
        return MicroFixtures(
            root: root, configuration: configuration, specs: specs, catalog: PlaybookCatalog(playbooks), forms: forms)
    }

    /// The working directory if it is the repository, else the one this file was built from.
    static func repositoryRoot() throws -> String {
        let built = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        for candidate in [FileManager.default.currentDirectoryPath, built] {
            let marker = candidate + "/vigil.example.yaml"
            if FileManager.default.fileExists(atPath: marker), FileManager.default.fileExists(atPath: candidate + "/commands") {
                return candidate
            }
        }
        throw BenchmarkError("run from the repository root: no vigil.example.yaml and commands/ here or in \(built)")
    }

    func form(_ name: String) -> [UInt8] { forms[name]! }

    func context(_ actor: UserRef, minutes: Double, platform: String = "slack") -> CommandContext {
        CommandContext(
            policy: policy, now: Self.t0.addingTimeInterval(minutes * 60), actor: actor, platform: platform,
            channel: "ts-incidents", catalog: catalog)
    }
}

/// A realistic incident after a few commands, and the core's replies and posts about it: what
/// the renderers turn into the JSON that the codec benchmarks read and write.
struct RenderedIncident {
    /// The `open` reply (in channel), with the default playbook's first step.
    var openReply: Reply
    /// The `opened` announcement posted to the incidents channel.
    var openAnnouncement: Message
    /// `status INC-42` some time later: clocks, details and timeline.
    var statusReply: Reply
    /// `help`: every subcommand with its usage.
    var helpReply: Reply

    init(_ fixtures: MicroFixtures) throws {
        let parser = CommandParser(specs: fixtures.specs, policy: fixtures.policy)
        let open = try Lifecycle.planOpen(
            parser.parse("open sev2 fraud \"Card testing spike on checkout\" --ref ZD-88213"),
            context: fixtures.context(MicroFixtures.ava, minutes: 0)
        ).outcome(number: 42)
        openReply = open.reply
        guard let announcement = open.outbox.first(where: { $0.channel == .incidents }) else {
            throw BenchmarkError("the open outcome posts nothing to the incidents channel")
        }
        openAnnouncement = announcement.message

        var incident = open.incident
        var events = open.events
        var clocks = Dictionary(open.clocks.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        let history: [(UserRef, Double, String)] = [
            (MicroFixtures.ben, 3, "ack INC-42"),
            (MicroFixtures.ben, 4, "assign INC-42 <@U0DEE|dee>"),
            (MicroFixtures.dee, 9, "note INC-42 Attack traffic comes from 3 ASNs; rate limit raised to 5 per minute"),
            (MicroFixtures.dee, 14, "sev INC-42 sev1"),
            (MicroFixtures.dee, 18, "escalate INC-42 Fraud losses above 10k EUR in the last hour"),
            (MicroFixtures.ben, 25, "note INC-42 BIN range 4571-23xx blocked at the gateway; refunds queued for 37 cards"),
        ]
        for (actor, minutes, text) in history {
            let outcome = try Lifecycle.apply(
                parser.parse(text), to: incident, clocks: Array(clocks.values), context: fixtures.context(actor, minutes: minutes))
            incident = outcome.incident
            events += outcome.events
            for clock in outcome.clocks { clocks[clock.name] = clock }
        }
        statusReply = IncidentViews.status(
            of: incident, events: events, clocks: clocks.values.sorted { $0.dueAt < $1.dueAt },
            outbox: OutboxHealth(pending: 0, deadLettered: 0), context: fixtures.context(MicroFixtures.ava, minutes: 31))
        helpReply = HelpText.overview(fixtures.specs)
    }
}
