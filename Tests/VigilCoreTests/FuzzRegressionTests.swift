import Foundation
import Testing
import VigilCore

/// Inputs `make fuzz` found, each fed through the public API exactly as found: every one of them
/// stopped the process. Each must now be refused (or read) without a crash.
@Suite struct CoreFuzzRegressionTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18

    /// Known before fuzzing (issue 10, finding 1), and found again by FuzzPeriod: `count * 24`
    /// overflowed in `ReportPeriodSpec.parse`.
    @Test
    func periodOfManyDaysIsRefusedNotOverflowed() {
        #expect(throws: UserError.self) { try ReportPeriodSpec.parse("384307168202282326d").get() }
        #expect(throws: UserError.self) { try ReportPeriodSpec.parse("9223372036854775807w").get() }
    }

    /// FuzzPeriod (`T\u{07}`) and FuzzCommand/FuzzMattermostRequest (`--known "2026-11220 -9:30"`):
    /// a time whose clock part is empty once its zone is split off (`T…`, a bare `Z`, a bare
    /// offset) made `TimeText.parse` index past the end of its parts.
    @Test(arguments: ["T\u{07}", "T9", "2026-11-22 Z", "2026-11-22 -05:00", "2026-11-22 +", "2026-11220 -9:30"])
    func timeWithoutAClockIsRefused(text: String) {
        #expect(TimeText.parse(text, in: .gmt) == nil)
    }

    /// The same input as the user typed it: `/incident open … --known "2026-11-22 Z"` must get a
    /// refusal with the usage line, not stop the server.
    @Test
    func openWithAClocklessKnownTimeIsRefused() throws {
        let parser = CommandParser(specs: [FuzzRegressionSpecs.open], policy: .defaults)
        #expect(throws: UserError.self) { try parser.parse(#"open sev1 fraud x --known "2026-11-22 Z""#) }
    }
}

/// The one spec these tests need, written as `commands/open.yaml` declares it.
enum FuzzRegressionSpecs {
    static let open = CommandSpec(
        name: "open", aliases: [], summary: "Open a new incident.",
        usage: #"open <severity> <category> <title…> [--known "YYYY-MM-DD HH:MM [Zone]"]"#,
        arguments: [
            ArgumentSpec(name: "severity", type: .severity, group: "classification"),
            ArgumentSpec(name: "category", type: .category, group: "classification"),
            ArgumentSpec(name: "title", type: .text),
        ],
        options: [OptionSpec(name: "known", type: .time)])
}
