import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Finding 7 (newlines, bidi, NUL, refs) and finding 5 (`assign @channel`): what typed text may
/// hold, decided once by the parser for every subcommand.
@Suite("Findings 5 and 7: text rules")
struct TextRulesTests {
    let parser: CommandParser

    init() throws {
        parser = try Fixtures.parser()
    }

    func refusal(_ text: String) -> UserError? {
        do {
            _ = try parser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Refused characters

    @Test("NUL, other control characters, bidi overrides and isolates are refused, named by class", arguments: [
        ("open sev1 fraud Card\u{0}testing", "a NUL character (U+0000)"),
        ("open sev1 fraud Card\u{7}testing", "a control character (U+0007)"),
        ("open sev1 fraud Card\u{1B}[31mtesting", "a control character (U+001B)"),
        ("open sev1 fraud Card\u{9B}testing", "a control character (U+009B)"),
        ("open sev1 fraud Card \u{202E}gnitset", "a bidirectional override (U+202E)"),
        ("open sev1 fraud Card \u{202A}testing", "a bidirectional override (U+202A)"),
        ("open sev1 fraud Card \u{2066}testing\u{2069}", "a bidirectional isolate (U+2066)"),
        ("note 4 see \u{2067}NCMEC", "a bidirectional isolate (U+2067)"),
        ("resolve 4 done\u{0}", "a NUL character (U+0000)"),
        ("step 4 done hash=ab\u{202D}cd", "a bidirectional override (U+202D)"),
        ("open sev1 fraud Card testing --ref ZD-1\u{0}", "a NUL character (U+0000)"),
    ])
    func refusedCharacters(text: String, named: String) throws {
        let error = try #require(refusal(text))
        #expect(error.message.contains("contains \(named)"))
        #expect(error.usage != nil)
    }

    @Test("right-to-left text itself is welcome")
    func rightToLeftText() throws {
        #expect(try parser.parse("open sev2 moderation حملة تحرش منسقة").string("title") == "حملة تحرش منسقة")
    }

    // MARK: - Line breaks

    @Test("a line break in a title becomes a space, so no second line can be forged", arguments: [
        "Card testing\nINC-99 resolved by @lead", "Card testing\r\nINC-99 resolved by @lead", "Card testing\rINC-99 resolved by @lead",
        "Card testing\u{2028}INC-99 resolved by @lead", "Card testing\u{2029}INC-99 resolved by @lead", "Card testing\u{85}INC-99 resolved by @lead",
        "Card testing\tINC-99 resolved by @lead",
    ])
    func titleLineBreaks(title: String) throws {
        let command = try parser.parse("open sev1 fraud \(title)")
        #expect(command.string("title") == "Card testing INC-99 resolved by @lead")
    }

    @Test("a line break inside a quoted title also becomes a space")
    func quotedTitleLineBreak() throws {
        #expect(try parser.parse("open sev1 fraud \"Card\ntesting\"").string("title") == "Card testing")
    }

    @Test("notes, reasons, resolutions and evidence are one line too", arguments: [
        ("note 4 first\nINC-4 resolved", "text"), ("resolve 4 refunded\nINC-5 resolved", "resolution"),
        ("escalate 4 losses\nINC-5 resolved", "reason"), ("reopen 4 back\nINC-5 resolved", "reason"),
    ])
    func otherFreeTextLineBreaks(text: String, argument: String) throws {
        let value = try #require(try parser.parse(text).string(argument))
        #expect(!value.contains { $0.isNewline })
        #expect(value.hasSuffix(" INC-\(argument == "text" ? 4 : 5) resolved"))
    }

    @Test("the whole open, applied, announces one line")
    func announcedTitleIsOneLine() throws {
        let outcome = try Fixtures.apply("open sev1 fraud Card testing\nINC-99 resolved by @lead", to: nil, parser: parser)
        #expect(outcome.incident.title == "Card testing INC-99 resolved by @lead")
        #expect(outcome.outbox.allSatisfy { !$0.message.plainText.contains("\nINC-99") })
    }

    // MARK: - Byte caps

    @Test("a title is capped at 200 bytes, counted in UTF-8")
    func titleCap() throws {
        #expect(try parser.parse("open sev1 fraud " + String(repeating: "a", count: 200)).string("title")?.utf8.count == 200)
        // 67 euro signs are 67 characters but 201 bytes.
        let error = try #require(refusal("open sev1 fraud " + String(repeating: "€", count: 67)))
        #expect(error.message == "The title is 201 bytes; it may be at most 200 bytes (UTF-8). Put the details in a note.")
        #expect(error.usage?.hasPrefix("open") == true)
    }

    @Test("a note, resolution, reason or evidence text is capped at 3000 bytes", arguments: [
        ("note 4 ", "note", "text"), ("resolve 4 ", "resolution", "resolution"), ("escalate 4 ", "reason", "reason"),
        ("step 4 skip ", "step text", "value"),
    ])
    func textCap(prefix: String, label: String, argument: String) throws {
        #expect(try parser.parse(prefix + String(repeating: "b", count: 3000)).string(argument)?.utf8.count == 3000)
        let error = try #require(refusal(prefix + String(repeating: "ü", count: 1501)))
        #expect(error.message == "The \(label) is 3002 bytes; it may be at most 3000 bytes (UTF-8). Link to longer material.")
    }

    // MARK: - Refs

    @Test("7,000 refs are refused; so is an eleventh")
    func refCount() throws {
        let many = (1...7000).map { " --ref ZD-\($0)" }.joined()
        let error = try #require(refusal("open sev1 fraud Card testing" + many))
        #expect(error.message == "--ref is given more than 10 times; one command takes at most 10.")
        #expect(refusal("open sev1 fraud Card testing" + (1...11).map { " --ref ZD-\($0)" }.joined()) != nil)
        let ten = try parser.parse("open sev1 fraud Card testing" + (1...10).map { " --ref ZD-\($0)" }.joined())
        #expect(ten.optionStrings("ref").count == 10)
    }

    /// Each as typed after `--ref`.
    @Test("a ref is 1 to 64 safe characters starting with a letter or digit", arguments: [
        String(repeating: "Z", count: 65), "=HYPERLINK(1)", "@channel", "<!channel>", "[x](https://evil.example)",
        "-1", "\"ZD 1\"", "ZD-1;DROP", "ZD-1*", "ZD‐88213",
    ])
    func badRefs(ref: String) throws {
        let error = try #require(refusal("open sev1 fraud Card testing --ref \(ref)"))
        #expect(error.message.contains("is not a reference Vigil keeps: 1 to 64 letters, digits and - _ . : / #"))
    }

    @Test("tickets, case numbers and short paths are refs", arguments: [
        "ZD-88213", "NCMEC-2291", "jira:TS-42", "case/7", "GH#12", "a_b.c", String(repeating: "Z", count: 64),
    ])
    func goodRefs(ref: String) throws {
        #expect(try parser.parse("open sev1 fraud Card testing --ref \(ref)").optionStrings("ref") == [ref])
    }

    // MARK: - Channel-wide mentions

    @Test("assign refuses every channel-wide mention", arguments: [
        "@channel", "@here", "@all", "@everyone", "@Channel", "@HERE", "@all.", "@channel:", "@everyone_",
        "<!channel>", "<!here>", "<!everyone>", "<!here|here>", "<!subteam^S0123ABC|@security>", "<!subteam^S0123ABC>",
        "&lt;!channel&gt;",
    ])
    func assignRefusesChannelWideMentions(mention: String) throws {
        let error = try #require(refusal("assign 1 \(mention)"))
        #expect(error.message.contains("would notify everyone in the channel; name one person"))
        #expect(error.usage == "assign <id> <@user>")
    }

    @Test("assign still takes people whose names begin like a channel-wide word", arguments: ["@allison", "@heremy", "@channelle"])
    func assignTakesSimilarNames(mention: String) throws {
        #expect(try parser.parse("assign 1 \(mention)").user("user")?.name == String(mention.dropFirst()))
    }
}
