import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Finding 8 (the CSV part): a title such as `=HYPERLINK("http://evil.example","click")` went
/// into the CSV export as it was, and a spreadsheet ran it. Text cells that a spreadsheet would
/// read as a formula now start with `'` (OWASP's CSV-injection rule).
@Suite("Finding 8: CSV formula cells are neutralised")
struct CSVInjectionTests {
    let csv = ReportCSV(policy: Fixtures.policy, asOf: Fixtures.t0, showsRestrictedTitles: true)

    func row(
        title: String, owner: UserRef? = nil, reporter: UserRef = Fixtures.ava, playbook: String? = nil, refs: [String] = [],
        acknowledgedAt: Date? = nil
    ) -> [String] {
        let headline = IncidentHeadline(
            number: 7, title: title, restricted: false, severity: "sev1", category: "fraud", state: .open, owner: owner, openedAt: Fixtures.t0)
        let line = csv.row(ReportedIncident(
            headline: headline, level: 1, reporter: reporter, knownAt: Fixtures.t0, reopenedAt: nil, acknowledgedAt: acknowledgedAt,
            resolvedAt: nil, playbook: playbook, refs: refs, clocks: []))
        return Self.fields(line)
    }

    /// Splits one RFC 4180 line (CRLF-terminated) into its fields, unquoting them.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(line.unicodeScalars.map(Character.init))
        if characters.suffix(2) == ["\r", "\n"] { characters.removeLast(2) }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if quoted {
                if character == "\"" {
                    if index + 1 < characters.count, characters[index + 1] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
            index += 1
        }
        fields.append(field)
        return fields
    }

    @Test("the HYPERLINK title of the review is text, quoted as RFC 4180 wants")
    func hyperlink() {
        let title = #"=HYPERLINK("http://evil.example","click")"#
        let headline = IncidentHeadline(
            number: 7, title: title, restricted: false, severity: "sev1", category: "fraud", state: .open, owner: nil, openedAt: Fixtures.t0)
        let line = csv.row(ReportedIncident(
            headline: headline, level: 1, reporter: Fixtures.ava, knownAt: Fixtures.t0, reopenedAt: nil, acknowledgedAt: nil,
            resolvedAt: nil, playbook: nil, refs: [], clocks: []))
        #expect(line.hasPrefix(#"INC-7,"'=HYPERLINK(""http://evil.example"",""click"")",false,"#))
        #expect(Self.fields(line)[1] == "'" + title)
    }

    @Test("every formula start is neutralised, fullwidth ones too", arguments: [
        "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tcmd", "\r=1", "＝1+1", "＋1", "－1", "＠SUM(A1)",
    ])
    func formulaStarts(title: String) {
        #expect(row(title: title)[1] == "'" + title)
    }

    @Test("ordinary titles are unchanged", arguments: ["Card testing spike", "'quoted' already", "1+1 refunds", " =1 after a space"])
    func ordinaryTitles(title: String) {
        #expect(row(title: title)[1] == title)
    }

    @Test("owner, reporter, playbook and refs are text cells too; names carry no @")
    func otherTextColumns() {
        let fields = row(
            title: "t", owner: UserRef(id: "U1", name: "-owner"), reporter: UserRef(id: "U2", name: "=cmd|' /C calc'!A0"),
            playbook: "+pb", refs: ["@ref"])
        let column = { (name: String) in fields[ReportCSV.columns.firstIndex(of: name)!] }
        #expect(column("owner") == "'-owner")
        #expect(column("reporter") == "'=cmd|' /C calc'!A0")
        #expect(column("playbook") == "'+pb")
        #expect(column("refs") == "'@ref")
        #expect(row(title: "t", owner: Fixtures.ben)[ReportCSV.columns.firstIndex(of: "owner")!] == "ben")
        #expect(row(title: "t")[ReportCSV.columns.firstIndex(of: "reporter")!] == "ava")
    }

    @Test("a negative number in a number column stays a number")
    func negativeNumbers() {
        let fields = row(title: "t", acknowledgedAt: Fixtures.t0.addingTimeInterval(-90))
        #expect(fields[ReportCSV.columns.firstIndex(of: "time_to_acknowledge_s")!] == "-90.000")
    }
}
