import Testing
import VigilConfig

/// Each kind of mistake in `vigil.yaml` and the exact `file:line: message` it produces.
@Suite("vigil.yaml diagnostics")
struct ConfigurationDiagnosticsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var expected: [String]
        var environment: [String: String] = [:]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "bad duration, at its line", yaml: """
            severities:
              - {name: sev1, ack: 5m}
              - name: sev2
                ack: 5x
            """, expected: [#"vigil.yaml:4: invalid duration "5x" for severities[1].ack (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#]),
        Case(name: "unknown top-level key with suggestion", yaml: "listn: 127.0.0.1:80\n",
             expected: [#"vigil.yaml:1: unknown key "listn" (did you mean "listen"?)"#]),
        Case(name: "unknown nested key with suggestion", yaml: "outbox:\n  max_attempt: 3\n",
             expected: [#"vigil.yaml:2: unknown key "max_attempt" in outbox (did you mean "max_attempts"?)"#]),
        Case(name: "unknown key far from any known one", yaml: "severities:\n  - {name: sev1, colour: red}\n",
             expected: [#"vigil.yaml:2: unknown key "colour" in severities[0] (expected one of: name, ack, resolve)"#]),
        Case(name: "duplicate severity", yaml: """
            severities:
              - {name: sev1}
              - {name: sev2}
              - {name: SEV1}
            """, expected: [#"vigil.yaml:4: duplicate severity "SEV1" (first defined on line 2)"#]),
        Case(name: "duplicate category", yaml: "categories:\n  - {name: fraud}\n  - {name: fraud}\n",
             expected: [#"vigil.yaml:3: duplicate category "fraud" (first defined on line 2)"#]),
        Case(name: "a name both severity and category", yaml: "severities:\n  - {name: urgent}\ncategories:\n  - {name: urgent}\n",
             expected: [#"vigil.yaml:4: "urgent" is both a severity and a category; `open` could not tell them apart"#]),
        Case(name: "severity name with a space", yaml: "severities:\n  - {name: sev 1}\n",
             expected: [#"vigil.yaml:2: severity name "sev 1" must be one word of letters, digits, - or _ (it is typed in chat)"#]),
        Case(name: "empty severities", yaml: "severities: []\n",
             expected: ["vigil.yaml:1: severities must list at least one severity (or leave severities out for the defaults)"]),
        Case(name: "category without a name", yaml: "categories:\n  - {restricted: true}\n",
             expected: ["vigil.yaml:2: categories[0] needs a name"]),
        Case(name: "restricted not a boolean", yaml: "categories:\n  - {name: fraud, restricted: maybe}\n",
             expected: [#"vigil.yaml:2: expected true or false for categories[0].restricted, found "maybe""#]),
        Case(name: "unknown time zone with suggestion", yaml: "timezone: Europe/Pairs\n",
             expected: [#"vigil.yaml:1: unknown time zone "Europe/Pairs" for timezone (did you mean "Europe/Paris"?)"#]),
        Case(name: "unknown time zone", yaml: "timezone: Mars/Olympus_Mons\n",
             expected: [#"vigil.yaml:1: unknown time zone "Mars/Olympus_Mons" for timezone (use an IANA name such as UTC, Europe/Paris or America/New_York)"#]),
        Case(name: "webhook URL without a scheme", yaml: "channels:\n  incidents: hooks.slack.com/services/T0/B0/SECRET\n",
             expected: [#"vigil.yaml:2: invalid webhook URL for channels.incidents: "hooks.slack.com/…" is not an http(s) URL (use an incoming-webhook URL or console)"#]),
        Case(name: "webhook URL of another scheme", yaml: "channels:\n  oncall: {url: \"ftp://example.com/x\"}\n",
             expected: [#"vigil.yaml:2: invalid webhook URL for channels.oncall.url: "ftp:/…" is not an http(s) URL (use an incoming-webhook URL or console)"#]),
        Case(name: "unknown webhook format", yaml: "channels:\n  oncall: {url: \"https://x.example/h\", format: teams}\n",
             expected: [#"vigil.yaml:2: channels.oncall.format must be slack or mattermost, found "teams""#]),
        Case(name: "unknown channel role", yaml: "channels:\n  oncal: console\n",
             expected: [#"vigil.yaml:2: unknown channel role "oncal" in channels (did you mean "oncall"?)"#]),
        Case(name: "listen without a port", yaml: "listen: localhost\n",
             expected: [#"vigil.yaml:1: invalid listen address "localhost" (use HOST:PORT, e.g. 127.0.0.1:8080)"#]),
        Case(name: "listen port out of range", yaml: "listen: 0.0.0.0:99999\n",
             expected: [#"vigil.yaml:1: port 99999 in listen address "0.0.0.0:99999" is out of range (0–65535)"#]),
        Case(name: "PostgreSQL, without echoing its password", yaml: "database: postgres://vigil:hunter2@db:5432/vigil\n",
             expected: ["vigil.yaml:1: PostgreSQL is not supported yet; use sqlite:PATH, e.g. sqlite:vigil.sqlite"]),
        Case(name: "unknown database scheme", yaml: "database: mysql://db/vigil\n",
             expected: [#"vigil.yaml:1: unsupported database "mysql:…" (use sqlite:PATH, e.g. sqlite:vigil.sqlite)"#]),
        Case(name: "unknown durability", yaml: "durability: fsync\n",
             expected: [#"vigil.yaml:1: durability must be normal or full, found "fsync""#]),
        Case(name: "bad id prefix", yaml: "id_prefix: IN-C\n",
             expected: [#"vigil.yaml:1: id_prefix must be 1 to 10 letters or digits (like INC or TS), found "IN-C""#]),
        Case(name: "outbox attempts zero", yaml: "outbox:\n  max_attempts: 0\n",
             expected: ["vigil.yaml:2: outbox.max_attempts must be between 1 and 1000, found 0"]),
        Case(name: "outbox attempts not a number", yaml: "outbox: {max_attempts: lots}\n",
             expected: [#"vigil.yaml:1: expected a whole number for outbox.max_attempts, found "lots""#]),
        Case(name: "outbox max below base", yaml: "outbox:\n  base_delay: 1m\n  max_delay: 30s\n",
             expected: ["vigil.yaml:3: outbox.max_delay (30s) is shorter than outbox.base_delay (1m)"]),
        Case(name: "list where a mapping belongs", yaml: "outbox: [8, 2s]\n",
             expected: ["vigil.yaml:1: expected a mapping (key: value) for outbox, found a list"]),
        Case(name: "string where a list belongs", yaml: "severities: sev1\n",
             expected: [#"vigil.yaml:1: expected a list for severities, found "sev1""#]),
        Case(name: "mapping where a string belongs", yaml: "listen:\n  host: 127.0.0.1\n",
             expected: ["vigil.yaml:2: expected a string for listen, found a mapping"]),
        Case(name: "restricted viewer not a mention", yaml: "roles:\n  restricted: [\"@dee\", ava]\n",
             expected: [#"vigil.yaml:2: invalid user "ava" in roles.restricted[1] (write <@U123>, <@U123|name> or "@name")"#]),
        Case(name: "missing environment variable, at its line", yaml: "listen: 127.0.0.1:8080\nslack:\n  signing_secret: ${SLACK_SIGNING_SECRET}\n",
             expected: ["vigil.yaml:3: environment variable SLACK_SIGNING_SECRET is not set (used in slack.signing_secret)"]),
        Case(name: "missing variable inside a block scalar", yaml: "mattermost:\n  token: |\n    first\n    ${TOKEN_PART}\n",
             expected: ["vigil.yaml:4: environment variable TOKEN_PART is not set (used in mattermost.token)"]),
        Case(name: "malformed variable reference", yaml: "slack: {signing_secret: \"${SLACK SECRET}\"}\n",
             expected: [#"vigil.yaml:1: invalid variable reference "${SLACK" in slack.signing_secret (write ${NAME}, or $$ for a literal $)"#]),
        Case(name: "secret empty once substituted", yaml: "slack:\n  signing_secret: ${EMPTY}\n",
             expected: ["vigil.yaml:2: slack.signing_secret is empty (remove slack if it is not used)"], environment: ["EMPTY": ""]),
        Case(name: "YAML syntax error", yaml: "listen: 127.0.0.1:8080\nseverities: [sev1\n",
             expected: ["vigil.yaml:3: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2)"]),
        Case(name: "duplicate YAML key", yaml: "listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n",
             expected: [#"vigil.yaml:1: duplicate key "listen" in one mapping"#]),
        Case(name: "every mistake at once, in line order", yaml: """
            listen: nowhere
            timezone: Nowhere/Land
            severities:
              - {name: sev1, ack: soon}
            outbx: {}
            """, expected: [
                #"vigil.yaml:1: invalid listen address "nowhere" (use HOST:PORT, e.g. 127.0.0.1:8080)"#,
                #"vigil.yaml:2: unknown time zone "Nowhere/Land" for timezone (use an IANA name such as UTC, Europe/Paris or America/New_York)"#,
                #"vigil.yaml:4: invalid duration "soon" for severities[0].ack (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#,
                #"vigil.yaml:5: unknown key "outbx" (did you mean "outbox"?)"#,
            ]),
    ]

    @Test(arguments: cases)
    func mistake(_ testCase: Case) {
        // MUT
        let error = #expect(throws: ConfigurationError.self) {
            try VigilConfiguration.decode(yaml: testCase.yaml, file: "vigil.yaml", directory: "/srv/vigil", environment: testCase.environment)
        }

        // validate
        #expect(error?.diagnostics.map(\.description) == testCase.expected)
        #expect(error?.description == testCase.expected.joined(separator: "\n"))
    }
}
