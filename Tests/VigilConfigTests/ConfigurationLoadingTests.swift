import Foundation
import Testing
import VigilConfig
import VigilCore

@Suite("Loading vigil.yaml")
struct ConfigurationLoadingTests {
    @Test("the shipped example loads with its two variables set")
    func exampleLoads() throws {
        let configuration = try VigilConfiguration.load(path: Repository.exampleConfig, environment: Repository.exampleEnvironment)

        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(configuration.database == .sqlite(path: Repository.root + "/vigil.sqlite"))
        #expect(configuration.commandsDirectory == Repository.commands)
        #expect(configuration.slackSigningSecret == "8f14e45fceea167a")
        #expect(configuration.mattermostToken == "mm-token-1")
        #expect(ChannelRole.allCases.allSatisfy { configuration.channel($0) == .console })
        #expect(
            configuration.policy.severities == [
                Severity(name: "sev1", ack: .seconds(300), resolve: .seconds(14_400), warn: [0.5, 0.9], repeat: .seconds(600)),
                Severity(name: "sev2", ack: .seconds(1_800), resolve: .seconds(86_400), warn: [0.75], repeat: .seconds(3_600)),
                Severity(name: "sev3", ack: .seconds(14_400), resolve: .seconds(259_200), warn: [0.9], repeat: .seconds(86_400)),
            ])
        #expect(configuration.policy.severities.map(\.name) == Policy.defaults.severities.map(\.name))
        #expect(configuration.policy.categories == Policy.defaults.categories)
        #expect(configuration.file == Repository.exampleConfig)
    }

    @Test("the shipped example's on-call rotation and escalation levels")
    func exampleOncallAndEscalation() throws {
        let policy = try VigilConfiguration.load(path: Repository.exampleConfig, environment: Repository.exampleEnvironment).policy
        let lines = try String(contentsOfFile: Repository.exampleConfig, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        let overrideLine = try #require(lines.firstIndex { $0.hasPrefix("      - {who: ") }) + 1
        let scheduleLine = try #require(lines.firstIndex { $0 == "  - name: ts-primary" }) + 1

        // The level names the README and `escalate` replies use are unchanged.
        #expect(policy.escalationLevels.map(\.name) == Policy.defaultLevels.map(\.name))
        #expect(
            policy.escalationLevels == [
                EscalationLevel(name: "responders", notify: [.schedule("ts-primary")]),
                EscalationLevel(name: "lead", notify: [.user(UserRef(id: "U0LEAD", name: "U0LEAD"))], after: .seconds(900)),
                EscalationLevel(name: "head", notify: [.user(UserRef(id: "U0HEAD", name: "U0HEAD"))], after: .seconds(1_800)),
            ])
        #expect(policy.escalationRepeats == 3)
        #expect(policy.oncall.count == 1)
        let schedule = try #require(policy.schedule(named: "ts-primary"))
        #expect(schedule.members.map(\.id) == ["U0AVA", "U0BEN", "U0CAS"])
        #expect(schedule.shift == .seconds(604_800))
        #expect(schedule.handoff == DateComponents(year: 2026, month: 11, day: 2, hour: 9, minute: 0))
        #expect(schedule.timeZone.identifier == "America/Los_Angeles")
        #expect(
            schedule.overrides == [
                OncallOverride(
                    who: UserRef(id: "U0DEE", name: "U0DEE"), covers: UserRef(id: "U0AVA", name: "U0AVA"),
                    from: ClockAndOncallLoadingTests.utc("2026-11-24T17:00:00Z"),
                    until: ClockAndOncallLoadingTests.utc("2026-11-25T17:00:00Z"),
                    source: SourceLocation(file: Repository.exampleConfig, line: overrideLine))
            ])
        #expect(schedule.source == SourceLocation(file: Repository.exampleConfig, line: scheduleLine))
    }

    @Test("the example's commands directory holds the shipped specs")
    func exampleCommandsLoad() throws {
        let configuration = try VigilConfiguration.load(path: Repository.exampleConfig, environment: Repository.exampleEnvironment)
        let specs = try CommandSpecLoader.load(directory: configuration.commandsDirectory)
        #expect(specs.map(\.name) == Subcommand.allCases.map(\.rawValue).sorted())
    }

    @Test("every key decodes into its typed value")
    func everyKey() throws {
        // setup
        let yaml = """
            listen: 0.0.0.0:0
            database: sqlite:data/vigil.sqlite
            durability: full
            id_prefix: TS
            timezone: Europe/Paris
            commands: /opt/vigil/commands
            playbooks: ../playbooks
            slack: {signing_secret: s3cret}
            mattermost: {token: t0ken}
            channels:
              incidents: https://hooks.slack.com/services/T000/B000/XXXX
              oncall: {url: "https://chat.example.com/ops", format: mattermost}
            roles:
              restricted: ["<@U0AVA>", "slack:U0DEE", "<@U0BEN|ben>"]
            outbox: {max_attempts: 3, base_delay: 500s, max_delay: 1h30m, channel_budget: 5, channel_window: 30s}
            severities:
              - {name: critical, ack: 5m, resolve: 4h}
              - {name: minor}
            categories:
              - {name: fraud}
              - {name: child-safety, restricted: true}
            escalation:
              - {name: responders}
              - name: ts-lead
            """

        // MUT
        let configuration = try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/srv/vigil", environment: [:])

        // validate
        #expect(configuration.listen == ListenAddress(host: "0.0.0.0", port: 0))
        #expect(configuration.database == .sqlite(path: "/srv/vigil/data/vigil.sqlite"))
        #expect(configuration.durability == .full)
        #expect(configuration.commandsDirectory == "/opt/vigil/commands")
        #expect(configuration.playbooksDirectory == "/srv/playbooks")
        #expect(configuration.slackSigningSecret == "s3cret")
        #expect(configuration.mattermostToken == "t0ken")
        #expect(configuration.chatPlatforms == [.slack(signingSecret: "s3cret"), .mattermost(token: "t0ken")])
        #expect(configuration.channels[.incidents] == .webhook(url: "https://hooks.slack.com/services/T000/B000/XXXX", format: .slack))
        #expect(configuration.channels[.oncall] == .webhook(url: "https://chat.example.com/ops", format: .mattermost))
        #expect(configuration.channels[.leads] == .console)
        #expect(
            configuration.outbox
                == OutboxSettings(
                    maxAttempts: 3, baseDelay: .seconds(500), maxDelay: .seconds(5400), channelBudget: 5, channelWindow: .seconds(30)))
        let policy = configuration.policy
        #expect(policy.idPrefix == "TS")
        #expect(policy.timeZone.identifier == "Europe/Paris")
        #expect(policy.severities == [Severity(name: "critical", ack: .seconds(300), resolve: .seconds(14_400)), Severity(name: "minor")])
        #expect(policy.categories == [VigilCore.Category(name: "fraud"), VigilCore.Category(name: "child-safety", restricted: true)])
        #expect(policy.escalationLevels == [EscalationLevel(name: "responders"), EscalationLevel(name: "ts-lead")])
        #expect(policy.roles.members[.restricted] == ["U0AVA", "U0DEE", "U0BEN"].map { Identity(platform: "slack", id: $0) })
    }

    @Test("an empty file is the defaults")
    func defaults() throws {
        let configuration = try VigilConfiguration.decode(
            yaml: "# nothing yet\n", file: "vigil.yaml", directory: "/srv/vigil", environment: [:])
        #expect(configuration.listen == .localDefault)
        #expect(configuration.database == .sqlite(path: "/srv/vigil/vigil.sqlite"))
        #expect(configuration.durability == .normal)
        #expect(configuration.commandsDirectory == "/srv/vigil/commands")
        #expect(configuration.playbooksDirectory == "/srv/vigil/playbooks")
        #expect(configuration.slackSigningSecret == nil)
        #expect(configuration.mattermostToken == nil)
        #expect(configuration.chatPlatforms.isEmpty)
        #expect(configuration.outbox == OutboxSettings())
        #expect(configuration.outbox.channelBudget == 20 && configuration.outbox.channelWindow == .seconds(60))
        #expect(configuration.policy.idPrefix == "INC")
        #expect(configuration.policy.severities == Policy.defaults.severities)
        #expect(configuration.policy.escalationLevels == Policy.defaultLevels)
        #expect(configuration.policy.escalationRepeats == 0)
        #expect(configuration.policy.oncall == [])
        #expect(configuration.policy.timeZone.identifier == TimeZone(identifier: "UTC")?.identifier)
    }

    @Test("a platform is served only when its section is present")
    func onePlatform() throws {
        let yaml = "mattermost:\n  token: t0ken\n"
        let configuration = try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/", environment: [:])
        #expect(configuration.chatPlatforms == [.mattermost(token: "t0ken")])
        #expect(configuration.slackSigningSecret == nil)
    }

    @Test("discord: the public key as bytes, the application id as text whether quoted or not, and public_url")
    func discordAndPublicURL() throws {
        // setup
        let key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        let yaml =
            "discord:\n  public_key: ${DISCORD_PUBLIC_KEY}\n  application_id: 123456789012345678\npublic_url: https://vigil.example.com/\n"

        // MUT
        let configuration = try VigilConfiguration.decode(
            yaml: yaml, file: "vigil.yaml", directory: "/", environment: ["DISCORD_PUBLIC_KEY": key.uppercased()])

        // validate
        #expect(configuration.chatPlatforms == [.discord(publicKey: Digits.bytes(hex: key)!, applicationID: "123456789012345678")])
        #expect(configuration.publicURL == "https://vigil.example.com")
    }

    @Test("teams: the security token decoded from base64")
    func teamsToken() throws {
        let yaml = "teams: {security_token: \"vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=\"}\n"
        let configuration = try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/", environment: [:])
        #expect(
            configuration.chatPlatforms == [
                .teams(securityToken: Array(Data(base64Encoded: "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=")!))
            ])
    }

    @Test(
        "webhook format is inferred from a bare URL",
        arguments: [
            ("https://hooks.slack.com/services/T000/B000/XXXX", WebhookFormat.slack),
            ("https://chat.example.com/hooks/abc123", .mattermost),
            ("https://discord.com/api/webhooks/1311/abc-DEF", .discord),
            ("https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x", .teams),
            ("http://localhost:9000/incoming", .slack),
        ])
    func inferredFormat(url: String, format: WebhookFormat) throws {
        let yaml = "channels:\n  incidents: \(url)\n"
        let configuration = try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/", environment: [:])
        #expect(configuration.channel(.incidents) == .webhook(url: url, format: format))
        #expect(configuration.channel(.oncall) == .console)
    }

    @Test("${VAR} is replaced from the environment passed in, and $$ is a literal $")
    func substitution() throws {
        let yaml = """
            listen: ${HOST}:${PORT}
            slack:
              signing_secret: "pa$$word-${SUFFIX}"
            channels:
              incidents: ${INCIDENTS_HOOK}
            """
        let environment = [
            "HOST": "10.0.0.5", "PORT": "9090", "SUFFIX": "x1", "INCIDENTS_HOOK": "https://hooks.slack.com/services/T1/B1/Z",
        ]
        let configuration = try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/", environment: environment)
        #expect(configuration.listen == ListenAddress(host: "10.0.0.5", port: 9090))
        #expect(configuration.slackSigningSecret == "pa$word-x1")
        #expect(configuration.channel(.incidents) == .webhook(url: "https://hooks.slack.com/services/T1/B1/Z", format: .slack))
    }

    @Test("a missing file is one diagnostic naming it")
    func missingFile() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try VigilConfiguration.load(path: "nowhere/vigil.yaml", environment: [:], workingDirectory: "/tmp")
        }
        #expect(error?.description == "nowhere/vigil.yaml: cannot read the config file (no such file)")
    }

    @Test("listen and database parsers serve --listen and --database too")
    func valueParsers() throws {
        #expect(try ListenAddress.parse("[::1]:8443") == ListenAddress(host: "::1", port: 8443))
        #expect(try ListenAddress.parse("[::1]:8443").isLoopback)
        #expect(try !ListenAddress.parse("0.0.0.0:80").isLoopback)
        #expect(try DatabaseLocation.parse("sqlite:///var/lib/vigil.sqlite", relativeTo: "/srv") == .sqlite(path: "/var/lib/vigil.sqlite"))
        #expect(try DatabaseLocation.parse("sqlite:./a/../v.sqlite", relativeTo: "/srv") == .sqlite(path: "/srv/v.sqlite"))
        #expect(throws: ConfigValueError.self) { try ListenAddress.parse("localhost:http") }
    }
}
