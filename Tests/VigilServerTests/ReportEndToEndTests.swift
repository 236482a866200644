import CSV
import Foundation
import Logging
import Testing
import VigilCore
import VigilJSON
import VigilServer
import VigilStore
import VigilTestSupport

/// `/incident report` over the Slack endpoint, and `vigil report`'s exports, on incidents made
/// through real commands.
@Suite struct ReportEndToEndTests {
    static let trickyTitle = "Refund abuse, \"VIP\" creators"

    /// Three incidents: INC-1 acknowledged after 4 min and resolved after 1 h 4 min; INC-2
    /// restricted and open; INC-3 open with a title typed over two lines (kept on one).
    func seeded(_ vigil: TestVigil) async throws {
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev1 fraud \(Self.trickyTitle)", client: client)
            _ = try await vigil.slack("open sev2 child-safety Reported upload", client: client)
            _ = try await vigil.slack("open sev3 moderation \"Line one\nline two\"", client: client)
            vigil.clock.advance(by: 240)
            _ = try await vigil.slack("ack INC-1", client: client)
            vigil.clock.advance(by: 3600)
            _ = try await vigil.slack("resolve INC-1 refunds reversed", client: client)
            // Reports count up to a moment they exclude: move past the resolution.
            vigil.clock.advance(by: 60)
        }
        #expect(try await vigil.store.incident(3)?.title == "Line one line two")
    }

    @Test("/incident report is private, --share posts it, and restricted titles follow the role")
    func chatReport() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await seeded(vigil)
        try await vigil.withClient { client in
            let (status, mine) = try await vigil.slack("report", client: client)
            #expect(status == .ok)
            #expect(mine.responseType == "ephemeral")
            #expect(mine.text.hasPrefix("Incident report · last 7 days"))
            #expect(mine.text.contains("Opened 3 · resolved 1 · still open 2"))
            #expect(mine.text.contains("Time to acknowledge: median 4 min · p90 4 min · mean 4 min (1)"))
            #expect(mine.text.contains("INC-2 · SEV2 · child-safety — (restricted: title hidden)"))

            let (_, dees) = try await vigil.slack("report 7d", as: Fixtures.dee, client: client)
            #expect(dees.text.contains("INC-2 · SEV2 · child-safety — Reported upload"))

            let (_, shared) = try await vigil.slack("report --share", as: Fixtures.dee, client: client)
            #expect(shared.responseType == "in_channel")
            #expect(shared.text.contains("shared by @dee"))
            #expect(!shared.text.contains("Reported upload"))

            let (_, bad) = try await vigil.slack("report last-week", client: client)
            #expect(bad.responseType == "ephemeral")
            #expect(bad.text.contains("“last-week” is not a period."))
            #expect(bad.text.contains("report [period] [--share]"))
            // Finding 1: the period that overflowed and killed the server is a usage error.
            let (overlongStatus, overlong) = try await vigil.slack("report 384307168202282326d", client: client)
            #expect(overlongStatus == .ok)
            #expect(overlong.responseType == "ephemeral")
            #expect(overlong.text.contains("is too long: a report covers at most 366 days"))
            let (_, future) = try await vigil.slack("report 2027-01", client: client)
            #expect(future.text.contains("2027-01 has not begun yet"))
        }
    }

    @Test("where replies are not private (Teams), a cleared user's report and status hide restricted titles")
    func reportAndStatusInASharedThread() async throws {
        // setup
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await seeded(vigil)
        let clock = vigil.clock
        let desk = CommandDesk(
            store: vigil.store, parser: try Fixtures.parser(), now: { clock.now }, outboxWritten: {}, logger: Logger(label: "vigil-test"))
        func ask(_ text: String, privately: Bool) async -> String {
            let invocation = Invocation(
                platform: "slack", user: Fixtures.dee, channelName: "ts-incidents", channelID: "C1", command: "/incident", text: text,
                responseURL: nil, requestID: UUID().uuidString, repliesArePrivate: privately)
            return await desk.handle(invocation).message.plainText
        }

        for privately in [true, false] {
            // MUT
            let report = await ask("report", privately: privately)
            let status = await ask("status INC-2", privately: privately)

            // validate
            #expect(report.contains("INC-2 · SEV2 · child-safety — Reported upload") == privately)
            #expect(report.contains("INC-2 · SEV2 · child-safety — (restricted: title hidden)") != privately)
            #expect(status.contains("Reported upload") == privately)
            #expect(status.contains("INC-2"))
        }
    }

    func export(_ vigil: TestVigil, _ format: ReportFormat, titles: Bool = false) async throws -> String {
        let period = try ReportPeriodSpec.standard.resolve(now: vigil.clock.now, timeZone: Fixtures.policy.timeZone)
        var text = ""
        try await ReportExport(store: vigil.store, policy: Fixtures.policy).write(
            period, now: vigil.clock.now, format: format, showsRestrictedTitles: titles
        ) { text += $0 }
        return text
    }

    @Test("the CSV export reads back through an independent RFC 4180 parser, one row per incident")
    func csvExport() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await seeded(vigil)
        let reader = try CSVReader(string: try await export(vigil, .csv), hasHeaderRow: true)
        #expect(reader.headerRow == ReportCSV.columns)
        var rows: [[String: String]] = []
        while let row = reader.next() {
            #expect(row.count == ReportCSV.columns.count)
            rows.append(Dictionary(uniqueKeysWithValues: zip(ReportCSV.columns, row)))
        }
        #expect(rows.map { $0["id"] } == ["INC-1", "INC-2", "INC-3"])
        #expect(rows[0]["title"] == Self.trickyTitle)
        #expect(rows[0]["time_to_acknowledge_s"] == "240.000")
        #expect(rows[0]["time_to_resolve_s"] == "3840.000")
        #expect(rows[0]["ack_outcome"] == "met")
        #expect(rows[0]["resolve_outcome"] == "met")
        #expect(rows[1]["title"] == "(restricted: title hidden)")
        #expect(rows[1]["restricted"] == "true")
        #expect(rows[1]["legal_rule"]?.contains("2258A") == true)
        #expect(rows[2]["title"] == "Line one line two")
        // sev3 acks within 4 h; an hour and 4 minutes in, it is still running.
        #expect(rows[2]["ack_outcome"] == "running")
        let titled = try CSVReader(string: try await export(vigil, .csv, titles: true), hasHeaderRow: true)
        _ = titled.next()
        #expect(titled.next()?[1] == "Reported upload")
    }

    @Test("the JSON export is valid JSON that round-trips, under its schema name")
    func jsonExport() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await seeded(vigil)
        let text = try await export(vigil, .json)
        let parsed = try JSONValue.parse(text)
        #expect(parsed.serializedString() + "\n" == text)
        #expect(try JSONValue.parse(parsed.serializedString()) == parsed)
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(foundation["schema"] as? String == ReportJSON.schema)
        #expect(parsed["incidents"]?["opened"]?.intValue == 3)
        #expect(parsed["incidents"]?["still_open"]?.intValue == 2)
        #expect(parsed["response_times"]?["all"]?["time_to_acknowledge"]?["median_s"]?.doubleValue == 240)
        // INC-1 acknowledged in 4 min; INC-2's 30 min passed an hour ago; INC-3 has 4 h.
        #expect(parsed["deadlines"]?["by_clock"]?["ack"]?["met"]?.intValue == 1)
        #expect(parsed["deadlines"]?["by_clock"]?["ack"]?["breached"]?.intValue == 1)
        #expect(parsed["deadlines"]?["by_clock"]?["ack"]?["met_ratio"]?.doubleValue == 0.5)
        #expect(parsed["deadlines"]?["by_clock"]?["resolve"]?["met"]?.intValue == 1)
        let oldest = try #require(parsed["backlog"]?["oldest"]?.arrayValue)
        #expect(oldest.map { $0["id"]?.stringValue } == ["INC-2", "INC-3"])
        #expect(oldest[0]["title"] == .null)
        #expect(oldest[1]["title"]?.stringValue == "Line one line two")
    }

    @Test("markdown and text exports carry the same figures")
    func markdownAndText() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await seeded(vigil)
        let markdown = try await export(vigil, .markdown)
        #expect(markdown.hasPrefix("# Incident report · last 7 days"))
        #expect(markdown.contains("| all | 1 | 4 min | 4 min | 4 min | 1 | 1 h 4 min | 1 h 4 min | 1 h 4 min |"))
        #expect(markdown.contains("Line one line two"))
        #expect(!markdown.contains("Reported upload"))
        let text = try await export(vigil, .text)
        #expect(text.contains("Opened 3 · resolved 1 · still open 2"))
    }

    @Test("vigil report writes an export file, and refuses a bad period or format with exit 64")
    func commandLine() async throws {
        // The command reads the real clock: these incidents are from three days ago.
        let vigil = try TestVigil(start: Date().addingTimeInterval(-3 * 86_400))
        defer { vigil.cleanUp() }
        try await seeded(vigil)
        let database = vigil.directory.appendingPathComponent("vigil.sqlite").path
        let out = vigil.directory.appendingPathComponent("week.csv")
        let written = try await VigilExecutable.run(
            ["report", "--database", "sqlite:\(database)", "--period", "30d", "--format", "csv", "--out", out.path], in: vigil.directory)
        #expect(written.status == 0, "\(written.stderr)")
        let reader = try CSVReader(string: try String(contentsOf: out, encoding: .utf8), hasHeaderRow: true)
        var ids: [String] = []
        while let row = reader.next() { ids.append(row[0]) }
        #expect(ids == ["INC-1", "INC-2", "INC-3"])
        let badPeriod = try await VigilExecutable.run(["report", "--database", "sqlite:\(database)", "--period", "soon"], in: vigil.directory)
        #expect(badPeriod.status == 64)
        #expect(badPeriod.stderr.contains("“soon” is not a period."))
        // Finding 1: this period overflowed `count * 24` and killed the process.
        let overlong = try await VigilExecutable.run(
            ["report", "--database", "sqlite:\(database)", "--period", "384307168202282326d"], in: vigil.directory)
        #expect(overlong.status == 64, "\(overlong.stderr)")
        #expect(overlong.stderr.contains("is too long: a report covers at most 366 days."))
        let zoneOnly = try await VigilExecutable.run(
            ["report", "--database", "sqlite:\(database)", "--since", "2026-11-22 Z"], in: vigil.directory)
        #expect(zoneOnly.status == 64, "\(zoneOnly.stderr)")
        #expect(zoneOnly.stderr.contains("--since “2026-11-22 Z” is neither a day"))
        let badFormat = try await VigilExecutable.run(["report", "--database", "sqlite:\(database)", "--format", "xml"], in: vigil.directory)
        #expect(badFormat.status == 64)
        let missing = try await VigilExecutable.run(["report", "--database", "sqlite:/nonexistent/vigil.sqlite"], in: vigil.directory)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("there is no database at /nonexistent/vigil.sqlite"))
    }
}
