import Foundation
import Testing
import VigilConfig
import VigilCore

/// The SLA, legal-clock, on-call and escalation keys of `vigil.yaml` and their typed values.
@Suite("Loading SLA, escalation and on-call keys")
struct ClockAndOncallLoadingTests {
    /// An absolute time, `2026-11-24T17:00:00Z`.
    static func utc(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    static func decode(_ yaml: String) throws -> VigilConfiguration {
        try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/srv/vigil", environment: [:])
    }

    @Test("warn, repeat, a category's legal clock, on-call schedules, escalation levels and repeats decode")
    func everyNewKey() throws {
        // setup
        let yaml = """
            timezone: Europe/Paris
            severities:
              - {name: sev1, ack: 5m, resolve: 4h, warn: [50%, 90%], repeat: 10m}
              - {name: sev2, ack: 30m, warn: "75%"}
              - {name: sev3, warn: 12.5%}
              - {name: sev4}
            categories:
              - {name: compliance}
              - {name: child-safety, restricted: true, legal: {rule: "NCMEC CyberTipline report", citation: "18 U.S.C. §2258A(a)", due: 24h, from: known}}
              - {name: tco, legal: {rule: "TCO removal order", citation: "Regulation (EU) 2021/784, Art. 3(3)", due: 1h, from: opened}}
            oncall:
              - name: ts-primary
                members: ["<@U0AVA>", "<@U0BEN|ben>", "@cas"]
                shift: 1w
                handoff: "2026-11-02 09:00 America/Los_Angeles"
                overrides:
                  - {who: "<@U0DEE>", covers: "<@U0AVA>", from: "2026-11-24 09:00", until: "2026-11-25 09:00"}
                  - {who: "@cas", covers: "<@U0AVA>", from: "2026-11-25 09:00", until: "2026-11-26 09:00"}
                  - {who: "<@U0DEE>", covers: "<@U0BEN|ben>", from: "2026-12-01T17:00Z", until: "2026-12-02 02:00 America/Toronto"}
              - name: ts-secondary
                members: ["<@U0EVE>"]
                shift: 12h
                handoff: "2026-11-02T21:00+05:30"
            escalation:
              - {name: responders, notify: [ts-primary, TS-Secondary]}
              - {name: ts-lead, notify: ["<@U0LEAD>", ts-secondary], after: 15m}
              - name: head-of-ts
                notify: ["<@U0HEAD|hana>", "@ceo"]
                after: 1h30m
            escalation_repeats: 3
            """

        // MUT
        let policy = try Self.decode(yaml).policy

        // validate: severities
        #expect(policy.severities == [
            Severity(name: "sev1", ack: .seconds(300), resolve: .seconds(14_400), warn: [0.5, 0.9], repeat: .seconds(600)),
            Severity(name: "sev2", ack: .seconds(1_800), warn: [0.75]),
            Severity(name: "sev3", warn: [0.125]),
            Severity(name: "sev4"),
        ])

        // validate: categories
        #expect(policy.categories == [
            VigilCore.Category(name: "compliance"),
            VigilCore.Category(
                name: "child-safety", restricted: true,
                legal: LegalClock(rule: "NCMEC CyberTipline report", citation: "18 U.S.C. §2258A(a)", due: .seconds(86_400), from: .known)),
            VigilCore.Category(
                name: "tco",
                legal: LegalClock(rule: "TCO removal order", citation: "Regulation (EU) 2021/784, Art. 3(3)", due: .seconds(3_600), from: .opened)),
        ])

        // validate: on-call schedules
        #expect(policy.oncall.map(\.name) == ["ts-primary", "ts-secondary"])
        let primary = try #require(policy.schedule(named: "ts-primary"))
        #expect(primary.members == [UserRef(id: "U0AVA", name: "U0AVA"), UserRef(id: "U0BEN", name: "ben"), UserRef(id: "cas", name: "cas")])
        #expect(primary.shift == .seconds(604_800))
        #expect(primary.handoff == DateComponents(year: 2026, month: 11, day: 2, hour: 9, minute: 0))
        #expect(primary.timeZone.identifier == "America/Los_Angeles")
        #expect(primary.source == SourceLocation(file: "vigil.yaml", line: 12))
        // Times without a zone are in the schedule's (PST, UTC-8, in late November); others carry theirs.
        #expect(primary.overrides == [
            OncallOverride(
                who: UserRef(id: "U0DEE", name: "U0DEE"), covers: UserRef(id: "U0AVA", name: "U0AVA"),
                from: Self.utc("2026-11-24T17:00:00Z"), until: Self.utc("2026-11-25T17:00:00Z"),
                source: SourceLocation(file: "vigil.yaml", line: 17)),
            OncallOverride(
                who: UserRef(id: "cas", name: "cas"), covers: UserRef(id: "U0AVA", name: "U0AVA"),
                from: Self.utc("2026-11-25T17:00:00Z"), until: Self.utc("2026-11-26T17:00:00Z"),
                source: SourceLocation(file: "vigil.yaml", line: 18)),
            OncallOverride(
                who: UserRef(id: "U0DEE", name: "U0DEE"), covers: UserRef(id: "U0BEN", name: "ben"),
                from: Self.utc("2026-12-01T17:00:00Z"), until: Self.utc("2026-12-02T07:00:00Z"),
                source: SourceLocation(file: "vigil.yaml", line: 19)),
        ])
        let secondary = try #require(policy.schedule(named: "ts-secondary"))
        #expect(secondary.members == [UserRef(id: "U0EVE", name: "U0EVE")])
        #expect(secondary.shift == .seconds(43_200))
        #expect(secondary.handoff == DateComponents(year: 2026, month: 11, day: 2, hour: 21, minute: 0))
        #expect(secondary.timeZone.secondsFromGMT() == 19_800)
        #expect(secondary.overrides == [])

        // validate: escalation (schedule names as oncall spells them)
        #expect(policy.escalationLevels == [
            EscalationLevel(name: "responders", notify: [.schedule("ts-primary"), .schedule("ts-secondary")]),
            EscalationLevel(name: "ts-lead", notify: [.user(UserRef(id: "U0LEAD", name: "U0LEAD")), .schedule("ts-secondary")], after: .seconds(900)),
            EscalationLevel(
                name: "head-of-ts", notify: [.user(UserRef(id: "U0HEAD", name: "hana")), .user(UserRef(id: "ceo", name: "ceo"))],
                after: .seconds(5_400)),
        ])
        #expect(policy.escalationRepeats == 3)
        #expect(policy.levelName(2) == "ts-lead")
    }

    @Test("without the new keys: no warnings or repeats, the default levels, no schedules, no repeats")
    func absentKeys() throws {
        let policy = try Self.decode("severities:\n  - {name: sev1, ack: 5m}\ncategories:\n  - {name: fraud}\n").policy
        #expect(policy.severities == [Severity(name: "sev1", ack: .seconds(300), warn: [], repeat: nil)])
        #expect(policy.categories == [VigilCore.Category(name: "fraud", legal: nil)])
        #expect(policy.escalationLevels == Policy.defaultLevels)
        #expect(policy.escalationLevels.map(\.name) == ["responders", "lead", "head"])
        #expect(policy.escalationRepeats == 0)
        #expect(policy.oncall == [])
    }

    @Test("levels without notify or after are reached by hand; oncall: [] is no schedules; repeats 0 needs no after")
    func manualLevels() throws {
        let policy = try Self.decode("oncall: []\nescalation:\n  - {name: first}\n  - {name: second, notify: []}\nescalation_repeats: 0\n").policy
        #expect(policy.escalationLevels == [EscalationLevel(name: "first"), EscalationLevel(name: "second")])
        #expect(policy.escalationRepeats == 0)
        #expect(policy.oncall == [])
    }

    @Test("overrides of different members may overlap; back-to-back overrides of one member do not")
    func overridesThatDoNotOverlap() throws {
        let yaml = """
            oncall:
              - name: ts
                members: ["@ava", "@ben"]
                shift: 1d
                handoff: "2026-11-02 09:00 UTC"
                overrides:
                  - {who: "@dee", covers: "@ava", from: "2026-11-24 09:00", until: "2026-11-25 09:00"}
                  - {who: "@eve", covers: "@ben", from: "2026-11-24 09:00", until: "2026-11-25 09:00"}
                  - {who: "@eve", covers: "@ava", from: "2026-11-25 09:00", until: "2026-11-25 10:00"}
            """
        let schedule = try #require(try Self.decode(yaml).policy.schedule(named: "ts"))
        #expect(schedule.overrides.map(\.who.name) == ["dee", "eve", "eve"])
        #expect(schedule.timeZone.secondsFromGMT() == 0)
    }

    @Test("a hand-off in a zone whose name holds a T (America/Toronto) decodes")
    func zoneWithT() throws {
        let yaml = "oncall:\n  - {name: ts, members: [\"@ava\"], shift: 8h, handoff: \"2026-11-02T09:30 America/Toronto\"}\n"
        let schedule = try #require(try Self.decode(yaml).policy.schedule(named: "ts"))
        #expect(schedule.handoff == DateComponents(year: 2026, month: 11, day: 2, hour: 9, minute: 30))
        #expect(schedule.timeZone.identifier == "America/Toronto")
    }

    @Test("a hand-off skipped by a daylight-saving change keeps its written wall-clock fields")
    func handoffInGap() throws {
        let yaml = "oncall:\n  - {name: ts, members: [\"@ava\"], shift: 1d, handoff: \"2026-03-08 02:30 America/Los_Angeles\"}\n"
        let schedule = try #require(try Self.decode(yaml).policy.schedule(named: "ts"))
        #expect(schedule.handoff == DateComponents(year: 2026, month: 3, day: 8, hour: 2, minute: 30))
    }

    @Test("the example's commented category legal clock decodes once uncommented")
    func exampleCategoryLegal() throws {
        // setup
        let example = try String(contentsOfFile: Repository.exampleConfig, encoding: .utf8)
        let commented = "#   - {name: child-safety, restricted: true, legal:"
        let line = try #require(example.split(separator: "\n").first { $0.hasPrefix(commented) })
        let yaml = example.replacingOccurrences(of: "  - {name: child-safety, restricted: true}\n", with: line.dropFirst(2) + "\n")
        #expect(yaml != example)

        // MUT
        let configuration = try VigilConfiguration.decode(
            yaml: yaml, file: "vigil.yaml", directory: Repository.root, environment: Repository.exampleEnvironment)

        // validate
        #expect(configuration.policy.category(named: "child-safety")?.legal
            == LegalClock(rule: "NCMEC CyberTipline report", citation: "18 U.S.C. §2258A(a)", due: .seconds(86_400), from: .known))
    }
}

/// `digest:` in `vigil.yaml`.
@Suite("Loading the daily digest key")
struct DigestLoadingTests {
    @Test("a digest time with a zone, and one that takes the team's zone")
    func decodes() throws {
        let named = try ClockAndOncallLoadingTests.decode("timezone: Europe/Paris\ndigest: \"09:00 America/Los_Angeles\"\n")
        #expect(named.policy.digest == DigestSchedule(hour: 9, minute: 0, timeZone: TimeZone(identifier: "America/Los_Angeles")!))
        let local = try ClockAndOncallLoadingTests.decode("timezone: Europe/Paris\ndigest: \"7:30\"\n")
        #expect(local.policy.digest == DigestSchedule(hour: 7, minute: 30, timeZone: TimeZone(identifier: "Europe/Paris")!))
        #expect(try ClockAndOncallLoadingTests.decode("timezone: UTC\n").policy.digest == nil)
        let example = try VigilConfiguration.load(path: Repository.exampleConfig, environment: Repository.exampleEnvironment)
        #expect(example.policy.digest?.description == "09:00 America/Los_Angeles")
    }

    @Test("a bad digest is reported at its line")
    func badDigest() {
        let error = #expect(throws: ConfigurationError.self) {
            try ClockAndOncallLoadingTests.decode("timezone: UTC\ndigest: \"9am\"\n")
        }
        #expect(error?.description == "vigil.yaml:2: digest: \"9am\" is not a time of day; write it as \"09:00 America/Los_Angeles\" (24-hour clock, zone optional)")
    }
}
