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

    /// A valid one-schedule `oncall:` (lines 1 to 5), to replace parts of or add to.
    static let oncall = """
        oncall:
          - name: ts-primary
            members: ["<@U0AVA>", "<@U0BEN>"]
            shift: 1w
            handoff: "2026-11-02 09:00 America/Los_Angeles"

        """

    /// `oncall` with `overrides:` (line 6) and one override per element (lines 7, 8, …).
    static func overrides(_ items: String...) -> String {
        oncall + "    overrides:\n" + items.map { "      - \($0)\n" }.joined()
    }

    static let cases: [Case] = [
        Case(
            name: "bad duration, at its line",
            yaml: """
                severities:
                  - {name: sev1, ack: 5m}
                  - name: sev2
                    ack: 5x
                """, expected: [#"vigil.yaml:4: invalid duration "5x" for severities[1].ack (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#]),
        Case(
            name: "unknown top-level key with suggestion", yaml: "listn: 127.0.0.1:80\n",
            expected: [#"vigil.yaml:1: unknown key "listn" (did you mean "listen"?)"#]),
        Case(
            name: "unknown nested key with suggestion", yaml: "outbox:\n  max_attempt: 3\n",
            expected: [#"vigil.yaml:2: unknown key "max_attempt" in outbox (did you mean "max_attempts"?)"#]),
        Case(
            name: "unknown key far from any known one", yaml: "severities:\n  - {name: sev1, colour: red}\n",
            expected: [#"vigil.yaml:2: unknown key "colour" in severities[0] (expected one of: name, ack, resolve, warn, repeat)"#]),
        Case(
            name: "duplicate severity",
            yaml: """
                severities:
                  - {name: sev1}
                  - {name: sev2}
                  - {name: SEV1}
                """, expected: [#"vigil.yaml:4: duplicate severity "SEV1" (first defined on line 2)"#]),
        Case(
            name: "duplicate category", yaml: "categories:\n  - {name: fraud}\n  - {name: fraud}\n",
            expected: [#"vigil.yaml:3: duplicate category "fraud" (first defined on line 2)"#]),
        Case(
            name: "a name both severity and category", yaml: "severities:\n  - {name: urgent}\ncategories:\n  - {name: urgent}\n",
            expected: [#"vigil.yaml:4: "urgent" is both a severity and a category; `open` could not tell them apart"#]),
        Case(
            name: "severity name with a space", yaml: "severities:\n  - {name: sev 1}\n",
            expected: [#"vigil.yaml:2: severity name "sev 1" must be one word of letters, digits, - or _ (it is typed in chat)"#]),
        Case(
            name: "empty severities", yaml: "severities: []\n",
            expected: ["vigil.yaml:1: severities must list at least one severity (or leave severities out for the defaults)"]),
        Case(
            name: "category without a name", yaml: "categories:\n  - {restricted: true}\n",
            expected: ["vigil.yaml:2: categories[0] needs a name"]),
        Case(
            name: "restricted not a boolean", yaml: "categories:\n  - {name: fraud, restricted: maybe}\n",
            expected: [#"vigil.yaml:2: expected true or false for categories[0].restricted, found "maybe""#]),
        Case(
            name: "unknown time zone with suggestion", yaml: "timezone: Europe/Pairs\n",
            expected: [#"vigil.yaml:1: unknown time zone "Europe/Pairs" for timezone (did you mean "Europe/Paris"?)"#]),
        Case(
            name: "unknown time zone", yaml: "timezone: Mars/Olympus_Mons\n",
            expected: [
                #"vigil.yaml:1: unknown time zone "Mars/Olympus_Mons" for timezone (use an IANA name such as UTC, Europe/Paris or America/New_York)"#
            ]),
        Case(
            name: "webhook URL without a scheme", yaml: "channels:\n  incidents: hooks.slack.com/services/T0/B0/SECRET\n",
            expected: [
                #"vigil.yaml:2: invalid webhook URL for channels.incidents: "hooks.slack.com/…" is not an http(s) URL (use an incoming-webhook URL or console)"#
            ]),
        Case(
            name: "webhook URL of another scheme", yaml: "channels:\n  oncall: {url: \"ftp://example.com/x\"}\n",
            expected: [
                #"vigil.yaml:2: invalid webhook URL for channels.oncall.url: "ftp:/…" is not an http(s) URL (use an incoming-webhook URL or console)"#
            ]),
        Case(
            name: "unknown webhook format", yaml: "channels:\n  oncall: {url: \"https://x.example/h\", format: zulip}\n",
            expected: [#"vigil.yaml:2: channels.oncall.format must be slack, mattermost, discord or teams, found "zulip""#]),
        Case(
            name: "discord key not hex", yaml: "discord:\n  public_key: xyz\n  application_id: \"123456789012345678\"\n",
            expected: [
                "vigil.yaml:2: discord.public_key must be the 64 hex digits of the application's public key (Developer Portal, General Information)"
            ]),
        Case(
            name: "discord key of 31 bytes",
            yaml: "discord:\n  public_key: \(String(repeating: "ab", count: 31))\n  application_id: \"123456789012345678\"\n",
            expected: [
                "vigil.yaml:2: discord.public_key must be the 64 hex digits of the application's public key (Developer Portal, General Information)"
            ]),
        Case(
            name: "discord application id not a snowflake",
            yaml: "discord:\n  public_key: \(String(repeating: "ab", count: 32))\n  application_id: my-app\n",
            expected: ["vigil.yaml:3: discord.application_id must be the application's numeric id (Developer Portal, General Information)"]),
        Case(
            name: "discord without its application id", yaml: "discord:\n  public_key: \(String(repeating: "ab", count: 32))\n",
            expected: ["vigil.yaml:2: discord needs application_id (or remove discord if it is not used)"]),
        Case(
            name: "public_url with a query", yaml: "public_url: https://vigil.example.com/?x=1\n",
            expected: ["vigil.yaml:1: public_url must be the base URL the chat platforms reach Vigil at, like https://vigil.example.com"]),
        Case(
            name: "unknown channel role", yaml: "channels:\n  oncal: console\n",
            expected: [#"vigil.yaml:2: unknown channel role "oncal" in channels (did you mean "oncall"?)"#]),
        Case(
            name: "listen without a port", yaml: "listen: localhost\n",
            expected: [#"vigil.yaml:1: invalid listen address "localhost" (use HOST:PORT, e.g. 127.0.0.1:8080)"#]),
        Case(
            name: "listen port out of range", yaml: "listen: 0.0.0.0:99999\n",
            expected: [#"vigil.yaml:1: port 99999 in listen address "0.0.0.0:99999" is out of range (0–65535)"#]),
        Case(
            name: "PostgreSQL port out of range, without echoing its password", yaml: "database: postgres://vigil:hunter2@db:99999/vigil\n",
            expected: [
                "vigil.yaml:1: invalid PostgreSQL URL: the port must be a number from 1 to 65535 (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)"
            ]),
        Case(
            name: "unknown database scheme", yaml: "database: mysql://db/vigil\n",
            expected: [
                #"vigil.yaml:1: unsupported database "mysql:…" (use sqlite:PATH, e.g. sqlite:vigil.sqlite, or postgres://USER:PASSWORD@HOST:PORT/DATABASE)"#
            ]),
        Case(
            name: "unknown durability", yaml: "durability: fsync\n",
            expected: [#"vigil.yaml:1: durability must be normal or full, found "fsync""#]),
        Case(
            name: "bad id prefix", yaml: "id_prefix: IN-C\n",
            expected: [#"vigil.yaml:1: id_prefix must be 1 to 10 letters or digits (like INC or TS), found "IN-C""#]),
        Case(
            name: "outbox attempts zero", yaml: "outbox:\n  max_attempts: 0\n",
            expected: ["vigil.yaml:2: outbox.max_attempts must be between 1 and 1000, found 0"]),
        Case(
            name: "outbox attempts not a number", yaml: "outbox: {max_attempts: lots}\n",
            expected: [#"vigil.yaml:1: expected a whole number for outbox.max_attempts, found "lots""#]),
        Case(
            name: "outbox max below base", yaml: "outbox:\n  base_delay: 1m\n  max_delay: 30s\n",
            expected: ["vigil.yaml:3: outbox.max_delay (30s) is shorter than outbox.base_delay (1m)"]),
        Case(
            name: "outbox channel budget zero", yaml: "outbox:\n  channel_budget: 0\n",
            expected: ["vigil.yaml:2: outbox.channel_budget must be between 1 and 10000, found 0"]),
        Case(
            name: "outbox channel window too long", yaml: "outbox: {channel_window: 2d}\n",
            expected: ["vigil.yaml:1: outbox.channel_window (2d) must be from 1s to 1d: the posts a channel may get per window"]),
        Case(
            name: "outbox channel window not a duration", yaml: "outbox:\n  channel_window: often\n",
            expected: [#"vigil.yaml:2: invalid duration "often" for outbox.channel_window (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#]),
        Case(
            name: "list where a mapping belongs", yaml: "outbox: [8, 2s]\n",
            expected: ["vigil.yaml:1: expected a mapping (key: value) for outbox, found a list"]),
        Case(
            name: "string where a list belongs", yaml: "severities: sev1\n",
            expected: [#"vigil.yaml:1: expected a list for severities, found "sev1""#]),
        Case(
            name: "mapping where a string belongs", yaml: "listen:\n  host: 127.0.0.1\n",
            expected: ["vigil.yaml:2: expected a string for listen, found a mapping"]),
        Case(
            name: "missing environment variable, at its line",
            yaml: "listen: 127.0.0.1:8080\nslack:\n  signing_secret: ${SLACK_SIGNING_SECRET}\n",
            expected: ["vigil.yaml:3: environment variable SLACK_SIGNING_SECRET is not set (used in slack.signing_secret)"]),
        Case(
            name: "missing variable inside a block scalar", yaml: "mattermost:\n  token: |\n    first\n    ${TOKEN_PART}\n",
            expected: ["vigil.yaml:4: environment variable TOKEN_PART is not set (used in mattermost.token)"]),
        Case(
            name: "malformed variable reference", yaml: "slack: {signing_secret: \"${SLACK SECRET}\"}\n",
            expected: [
                #"vigil.yaml:1: invalid variable reference "${SLACK" in slack.signing_secret (write ${NAME}, or $$ for a literal $)"#
            ]),
        Case(
            name: "secret empty once substituted", yaml: "slack:\n  signing_secret: ${EMPTY}\n",
            expected: ["vigil.yaml:2: slack.signing_secret is empty (remove slack if it is not used)"], environment: ["EMPTY": ""]),
        Case(
            name: "YAML syntax error", yaml: "listen: 127.0.0.1:8080\nseverities: [sev1\n",
            expected: ["vigil.yaml:3: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2)"]),
        Case(
            name: "duplicate YAML key", yaml: "listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n",
            expected: [#"vigil.yaml:1: duplicate key "listen" in one mapping"#]),

        // SLA warnings and repeats
        Case(
            name: "warn percentage out of range", yaml: "severities:\n  - {name: sev1, warn: [50%, 100%]}\n",
            expected: [#"vigil.yaml:2: invalid percentage "100%" for severities[0].warn[1] (use 1% to 99%, e.g. 75%)"#]),
        Case(
            name: "warn below 1%", yaml: "severities:\n  - {name: sev1, warn: 0.5%}\n",
            expected: [#"vigil.yaml:2: invalid percentage "0.5%" for severities[0].warn (use 1% to 99%, e.g. 75%)"#]),
        Case(
            name: "warn as a fraction rather than a percentage", yaml: "severities:\n  - {name: sev1, warn: 0.75}\n",
            expected: [#"vigil.yaml:2: invalid percentage "0.75" for severities[0].warn (use 1% to 99%, e.g. 75%)"#]),
        Case(
            name: "warn not ascending, at the item's line",
            yaml: """
                severities:
                  - name: sev1
                    warn:
                      - 90%
                      - 50%
                """, expected: ["vigil.yaml:5: severities[0].warn must be in ascending order, found 50% after 90%"]),
        Case(
            name: "warn repeated", yaml: "severities:\n  - {name: sev1, warn: [75%, 75%]}\n",
            expected: ["vigil.yaml:2: severities[0].warn must be in ascending order, found 75% after 75%"]),
        Case(
            name: "warn a mapping", yaml: "severities:\n  - {name: sev1, warn: {at: 75%}}\n",
            expected: ["vigil.yaml:2: expected a string for severities[0].warn, found a mapping"]),
        Case(
            name: "bad repeat", yaml: "severities:\n  - {name: sev1, repeat: often}\n",
            expected: [#"vigil.yaml:2: invalid duration "often" for severities[0].repeat (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#]),
        Case(
            name: "misspelt repeat", yaml: "severities:\n  - {name: sev1, reapeat: 10m}\n",
            expected: [#"vigil.yaml:2: unknown key "reapeat" in severities[0] (did you mean "repeat"?)"#]),

        // A category's legal clock
        Case(
            name: "category legal clock without due", yaml: "categories:\n  - {name: child-safety, legal: {rule: R, citation: C}}\n",
            expected: [#"vigil.yaml:2: missing required key "due" in categories[0].legal"#]),
        Case(
            name: "category legal clock with a misspelt key",
            yaml: """
                categories:
                  - {name: fraud}
                  - name: child-safety
                    legal:
                      rule: R
                      citation: C
                      due: 1d
                      form: known
                """, expected: [#"vigil.yaml:8: unknown key "form" in categories[1].legal (did you mean "from"?)"#]),
        Case(
            name: "category legal clock with a bad due and from",
            yaml: "categories:\n  - {name: tco, legal: {rule: R, citation: C, due: an hour, from: receipt}}\n",
            expected: [
                #"vigil.yaml:2: invalid duration "an hour" for categories[0].legal.due (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#,
                #"vigil.yaml:2: categories[0].legal.from must be known or opened, found "receipt""#,
            ]),

        // On-call schedules
        Case(
            name: "misspelt oncall", yaml: "on-call: []\n",
            expected: [#"vigil.yaml:1: unknown key "on-call" (did you mean "oncall"?)"#]),
        Case(
            name: "misspelt schedule key, and the key it misses", yaml: oncall.replacingOccurrences(of: "handoff:", with: "handof:"),
            expected: [
                "vigil.yaml:2: oncall[0] needs handoff",
                #"vigil.yaml:5: unknown key "handof" in oncall[0] (did you mean "handoff"?)"#,
            ]),
        Case(
            name: "schedule missing its keys", yaml: "oncall:\n  - {name: ts-primary, members: [\"<@U0AVA>\"]}\n",
            expected: ["vigil.yaml:2: oncall[0] needs shift and handoff"]),
        Case(
            name: "schedule without a name", yaml: "oncall:\n  - {members: [\"<@U0AVA>\"], shift: 1w, handoff: \"2026-11-02 09:00 UTC\"}\n",
            expected: ["vigil.yaml:2: oncall[0] needs a name"]),
        Case(
            name: "duplicate schedule",
            yaml: oncall + "  - {name: TS-Primary, members: [\"@dee\"], shift: 1d, handoff: \"2026-11-02 09:00 UTC\"}\n",
            expected: [#"vigil.yaml:6: duplicate on-call schedule "TS-Primary" (first defined on line 2)"#]),
        Case(
            name: "schedule name with a space", yaml: oncall.replacingOccurrences(of: "name: ts-primary", with: "name: ts primary"),
            expected: [
                #"vigil.yaml:2: on-call schedule name "ts primary" must be one word of letters, digits, - or _ (it is typed in chat)"#
            ]),
        Case(
            name: "no members", yaml: oncall.replacingOccurrences(of: #"["<@U0AVA>", "<@U0BEN>"]"#, with: "[]"),
            expected: ["vigil.yaml:3: oncall[0].members must list at least one person"]),
        Case(
            name: "member not a mention", yaml: oncall.replacingOccurrences(of: #""<@U0BEN>""#, with: "ben"),
            expected: [#"vigil.yaml:3: invalid user "ben" in oncall[0].members[1] (write <@U123>, <@U123|name> or "@name")"#]),
        Case(
            name: "member listed twice", yaml: oncall.replacingOccurrences(of: #""<@U0BEN>""#, with: #""<@U0AVA|ava>""#),
            expected: [#"vigil.yaml:3: member "<@U0AVA|ava>" is listed twice in oncall[0].members"#]),
        Case(
            name: "shift not a duration", yaml: oncall.replacingOccurrences(of: "shift: 1w", with: "shift: weekly"),
            expected: [#"vigil.yaml:4: invalid duration "weekly" for oncall[0].shift (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#]),
        Case(
            name: "shift not whole hours", yaml: oncall.replacingOccurrences(of: "shift: 1w", with: "shift: 90m"),
            expected: [#"vigil.yaml:4: oncall[0].shift must be whole hours (e.g. 12h, 1d, 1w), found "90m""#]),
        Case(
            name: "shift longer than four weeks", yaml: oncall.replacingOccurrences(of: "shift: 1w", with: "shift: 4w1h"),
            expected: [#"vigil.yaml:4: oncall[0].shift must be at most 4w, found "4w1h""#]),
        Case(
            name: "handoff without a zone", yaml: oncall.replacingOccurrences(of: " America/Los_Angeles", with: ""),
            expected: [
                #"vigil.yaml:5: oncall[0].handoff needs a time zone, e.g. "2026-11-02 09:00 America/Los_Angeles" (shifts follow that zone's wall clock)"#
            ]),
        Case(
            name: "handoff with a misspelt zone", yaml: oncall.replacingOccurrences(of: "Los_Angeles", with: "Los_Angles"),
            expected: [#"vigil.yaml:5: unknown time zone "America/Los_Angles" for oncall[0].handoff (did you mean "America/Los_Angeles"?)"#]
        ),
        Case(
            name: "handoff with an unknown zone", yaml: oncall.replacingOccurrences(of: "America/Los_Angeles", with: "Mars/Olympus_Mons"),
            expected: [
                #"vigil.yaml:5: unknown time zone "Mars/Olympus_Mons" for oncall[0].handoff (use an IANA name such as UTC, Europe/Paris or America/New_York)"#
            ]),
        Case(
            name: "handoff not a date-time", yaml: oncall.replacingOccurrences(of: "2026-11-02 09:00", with: "monday 9am"),
            expected: [
                #"vigil.yaml:5: invalid date-time "monday 9am America/Los_Angeles" for oncall[0].handoff (write e.g. "2026-11-02 09:00 America/Los_Angeles")"#
            ]),
        Case(
            name: "handoff on a day that does not exist", yaml: oncall.replacingOccurrences(of: "2026-11-02", with: "2026-02-30"),
            expected: [
                #"vigil.yaml:5: invalid date-time "2026-02-30 09:00 America/Los_Angeles" for oncall[0].handoff (write e.g. "2026-11-02 09:00 America/Los_Angeles")"#
            ]),
        Case(
            name: "handoff with seconds", yaml: oncall.replacingOccurrences(of: "09:00", with: "09:00:30"),
            expected: [#"vigil.yaml:5: oncall[0].handoff must be on a whole minute, found "2026-11-02 09:00:30 America/Los_Angeles""#]),

        // Overrides
        Case(
            name: "override of someone not in the rotation",
            yaml: overrides(#"{who: "<@U0AVA>", covers: "<@U0DEE>", from: "2026-11-24 09:00", until: "2026-11-25 09:00"}"#),
            expected: [#"vigil.yaml:7: "<@U0DEE>" in oncall[0].overrides[0].covers is not a member of ts-primary"#]),
        Case(
            name: "override ending before it starts",
            yaml: overrides(#"{who: "<@U0DEE>", covers: "<@U0AVA>", from: "2026-11-25 09:00", until: "2026-11-24 09:00"}"#),
            expected: ["vigil.yaml:7: oncall[0].overrides[0].until (2026-11-24 09:00) must be after its from (2026-11-25 09:00)"]),
        Case(
            name: "override ending as it starts, zones counted",
            yaml: overrides(#"{who: "<@U0DEE>", covers: "<@U0AVA>", from: "2026-11-24 09:00", until: "2026-11-24T17:00Z"}"#),
            expected: ["vigil.yaml:7: oncall[0].overrides[0].until (2026-11-24T17:00Z) must be after its from (2026-11-24 09:00)"]),
        Case(
            name: "overlapping overrides of one member",
            yaml: overrides(
                #"{who: "<@U0DEE>", covers: "<@U0AVA>", from: "2026-11-24 09:00", until: "2026-11-26 09:00"}"#,
                #"{who: "<@U0BEN>", covers: "<@U0BEN>", from: "2026-11-24 09:00", until: "2026-11-26 09:00"}"#,
                #"{who: "<@U0EVE>", covers: "<@U0AVA>", from: "2026-11-25 23:00 Europe/Paris", until: "2026-11-27 09:00"}"#),
            expected: ["vigil.yaml:9: oncall[0].overrides[2] overlaps oncall[0].overrides[0] (line 7): both cover <@U0AVA>"]),
        Case(
            name: "override time not a date-time",
            yaml: overrides(#"{who: "<@U0DEE>", covers: "<@U0AVA>", from: tomorrow, until: "2026-11-25 09:00"}"#),
            expected: [
                #"vigil.yaml:7: invalid date-time "tomorrow" for oncall[0].overrides[0].from (write e.g. "2026-11-24 09:00", optionally followed by a time zone)"#
            ]),
        Case(
            name: "override time with a misspelt zone",
            yaml: overrides(#"{who: "<@U0DEE>", covers: "<@U0AVA>", from: "2026-11-24 09:00", until: "2026-11-25 09:00 Europe/Pairs"}"#),
            expected: [#"vigil.yaml:7: unknown time zone "Europe/Pairs" for oncall[0].overrides[0].until (did you mean "Europe/Paris"?)"#]),
        Case(
            name: "override missing its times", yaml: overrides(#"{who: "@dee", covers: "<@U0AVA>"}"#),
            expected: ["vigil.yaml:7: oncall[0].overrides[0] needs from and until"]),
        Case(
            name: "override with a misspelt key",
            yaml: overrides(#"{who: "@dee", covers: "<@U0AVA>", from: "2026-11-24 09:00", untill: "2026-11-25 09:00"}"#),
            expected: [
                #"vigil.yaml:7: unknown key "untill" in oncall[0].overrides[0] (did you mean "until"?)"#,
                "vigil.yaml:7: oncall[0].overrides[0] needs until",
            ]),
        Case(
            name: "override by someone not a mention",
            yaml: overrides(#"{who: dee, covers: "<@U0AVA>", from: "2026-11-24 09:00", until: "2026-11-25 09:00"}"#),
            expected: [#"vigil.yaml:7: invalid user "dee" in oncall[0].overrides[0].who (write <@U123>, <@U123|name> or "@name")"#]),

        // Escalation
        Case(
            name: "notify names an unknown schedule, close to one",
            yaml: oncall + "escalation:\n  - {name: responders, notify: [ts-primry]}\n",
            expected: [#"vigil.yaml:7: unknown on-call schedule "ts-primry" in escalation[0].notify[0] (did you mean "ts-primary"?)"#]),
        Case(
            name: "notify names a schedule when there are none", yaml: "escalation:\n  - {name: responders, notify: [ts-primary]}\n",
            expected: [
                #"vigil.yaml:2: unknown on-call schedule "ts-primary" in escalation[0].notify[0] (define it under oncall:, or write a user as <@U123>, <@U123|name> or "@name")"#
            ]),
        Case(
            name: "notify with a broken mention", yaml: "escalation:\n  - {name: responders, notify: [\"<@U0 AVA>\"]}\n",
            expected: [#"vigil.yaml:2: invalid user "<@U0 AVA>" in escalation[0].notify[0] (write <@U123>, <@U123|name> or "@name")"#]),
        Case(
            name: "notify lists a target twice", yaml: oncall + "escalation:\n  - {name: responders, notify: [ts-primary, TS-PRIMARY]}\n",
            expected: [#"vigil.yaml:7: "TS-PRIMARY" is listed twice in escalation[0].notify"#]),
        Case(
            name: "notify not a list", yaml: oncall + "escalation:\n  - {name: responders, notify: ts-primary}\n",
            expected: [#"vigil.yaml:7: expected a list for escalation[0].notify, found "ts-primary""#]),
        Case(
            name: "after on the first level", yaml: "escalation:\n  - {name: responders, after: 5m}\n  - {name: lead, after: 15m}\n",
            expected: [
                "vigil.yaml:2: escalation[0].after is not allowed: the first level is where every incident starts (give after on the levels above it)"
            ]),
        Case(
            name: "bad after", yaml: "escalation:\n  - {name: responders}\n  - name: lead\n    after: quarter-hour\n",
            expected: [#"vigil.yaml:4: invalid duration "quarter-hour" for escalation[1].after (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#]),
        Case(
            name: "misspelt level key", yaml: "escalation:\n  - {name: responders, notfy: [\"@ava\"]}\n",
            expected: [#"vigil.yaml:2: unknown key "notfy" in escalation[0] (did you mean "notify"?)"#]),
        Case(
            name: "empty escalation", yaml: "escalation: []\n",
            expected: ["vigil.yaml:1: escalation must list at least one escalation level (or leave escalation out for the defaults)"]),
        Case(
            name: "escalation_repeats with the default levels (no after to repeat on)", yaml: "escalation_repeats: 2\n",
            expected: [
                "vigil.yaml:1: escalation_repeats needs an after on the last escalation level (head): it is how often the top level is re-notified"
            ]),
        Case(
            name: "escalation_repeats when the top level has no after",
            yaml: "escalation:\n  - {name: a}\n  - {name: b, after: 5m}\n  - {name: c}\nescalation_repeats: 1\n",
            expected: [
                "vigil.yaml:5: escalation_repeats needs an after on the last escalation level (c): it is how often the top level is re-notified"
            ]),
        Case(
            name: "escalation_repeats negative", yaml: "escalation_repeats: -1\n",
            expected: ["vigil.yaml:1: escalation_repeats must be between 0 and 100, found -1"]),
        Case(
            name: "escalation_repeats not a number", yaml: "escalation_repeats: forever\n",
            expected: [#"vigil.yaml:1: expected a whole number for escalation_repeats, found "forever""#]),
        Case(
            name: "misspelt escalation_repeats", yaml: "escalation_repeat: 3\n",
            expected: [#"vigil.yaml:1: unknown key "escalation_repeat" (did you mean "escalation_repeats"?)"#]),

        Case(
            name: "every new mistake at once, in line order",
            yaml: """
                severities:
                  - {name: sev1, warn: [90%, 50%], repeat: 0m}
                oncall:
                  - name: ts-primary
                    members: ["<@U0AVA>"]
                    shift: 1w
                    handoff: "2026-11-02 09:00"
                    overrides:
                      - {who: "@dee", covers: "@ben", from: "2026-11-24 09:00", until: "2026-11-25 09:00"}
                escalation:
                  - {name: responders, notify: [ts-primary, ts-secondary], after: 1m}
                escalation_repeats: 1
                """,
            expected: [
                "vigil.yaml:2: severities[0].warn must be in ascending order, found 50% after 90%",
                #"vigil.yaml:2: invalid duration "0m" for severities[0].repeat (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#,
                #"vigil.yaml:7: oncall[0].handoff needs a time zone, e.g. "2026-11-02 09:00 America/Los_Angeles" (shifts follow that zone's wall clock)"#,
                #"vigil.yaml:9: "@ben" in oncall[0].overrides[0].covers is not a member of ts-primary"#,
                #"vigil.yaml:11: unknown on-call schedule "ts-secondary" in escalation[0].notify[1] (define it under oncall:, or write a user as <@U123>, <@U123|name> or "@name")"#,
                "vigil.yaml:11: escalation[0].after is not allowed: the first level is where every incident starts (give after on the levels above it)",
            ]),

        Case(
            name: "every mistake at once, in line order",
            yaml: """
                listen: nowhere
                timezone: Nowhere/Land
                severities:
                  - {name: sev1, ack: soon}
                outbx: {}
                """,
            expected: [
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
            try VigilConfiguration.decode(
                yaml: testCase.yaml, file: "vigil.yaml", directory: "/srv/vigil", environment: testCase.environment)
        }

        // validate
        #expect(error?.diagnostics.map(\.description) == testCase.expected)
        #expect(error?.description == testCase.expected.joined(separator: "\n"))
    }
}
