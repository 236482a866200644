import Foundation
import Testing
import VigilCore
import VigilTestSupport

@Suite struct CommandParserTests {
    let parser: CommandParser

    init() throws {
        parser = try Fixtures.parser()
    }

    // MARK: - Specs and handlers

    @Test func everySpecHasAHandlerAndEveryHandlerASpec() throws {
        let specNames = Set(try Fixtures.shippedSpecs().map(\.name))
        #expect(specNames == Set(Subcommand.allCases.map(\.rawValue)))
    }

    // MARK: - Argument types

    @Test(arguments: ["INC-42", "inc-42", "42", "#42"])
    func incidentReferencesInEveryForm(reference: String) throws {
        #expect(try parser.parse("ack \(reference)").incidentNumber == 42)
    }

    @Test(arguments: ["INC-", "0", "#x", "INX-42", "42a", "-3"])
    func badIncidentReferencesAreRefusedWithTheAcceptedForms(reference: String) {
        #expect {
            try parser.parse("ack \(reference)")
        } throws: { error in
            (error as? UserError)?.message.contains("INC-42, 42 or #42") == true && (error as? UserError)?.usage != nil
        }
    }

    @Test(arguments: [
        ("<@U0BEN|ben>", UserRef(id: "U0BEN", name: "ben")),
        ("<@U0BEN>", UserRef(id: "U0BEN", name: "U0BEN")),
        ("@ben", UserRef(id: "ben", name: "ben")),
        // Teams IDs, as the Teams adapter writes a mention it has an entity for.
        ("<@29:1abc|Ava>", UserRef(id: "29:1abc", name: "Ava")),
        ("<@8:orgid:5d2e-77|Ben>", UserRef(id: "8:orgid:5d2e-77", name: "Ben")),
    ])
    func theThreeMentionForms(mention: String, expected: UserRef) throws {
        #expect(try parser.parse("assign 7 \(mention)").user("user") == expected)
    }

    /// A stored mention of unknown platform keeps its ID as is, and `slack:U0BOSS` would read back
    /// as that Slack account: an ID that names a platform is no ID.
    @Test(arguments: ["<@:29|x>", "<@slack:U0BOSS|boss>", "<@Teams:29:1abc>", "<@mattermost:8x7k>", "<@29 1abc|x>", "<@U0/BEN>"])
    func mentionIDsThatNameAPlatformOrHoldOtherCharactersAreRefused(mention: String) {
        #expect(UserMention.parse(mention) == nil)
    }

    @Test func aBareNameIsNotAUser() {
        #expect {
            try parser.parse("assign 7 ben")
        } throws: { ($0 as? UserError)?.message.contains("is not a user") == true }
    }

    @Test(arguments: ["open sev1 fraud Card testing spike", "open fraud sev1 Card testing spike", "open FRAUD Sev1 Card testing spike"])
    func severityAndCategoryInEitherOrder(text: String) throws {
        let command = try parser.parse(text)
        #expect(command.subcommand == .open)
        #expect(command.string("severity") == "sev1")
        #expect(command.string("category") == "fraud")
        #expect(command.string("title") == "Card testing spike")
    }

    @Test func freeTextKeepsSpacingAndPunctuationAsTyped() throws {
        let command = try parser.parse("note 4 Refund  ring: 3 cards,  \"same BIN\" — escalating")
        #expect(command.string("text") == "Refund  ring: 3 cards,  \"same BIN\" — escalating")
    }

    @Test func aQuotedTitleLosesItsQuotes() throws {
        #expect(try parser.parse(#"open sev2 moderation "Brigading on a creator's post""#).string("title") == "Brigading on a creator's post")
    }

    @Test func optionsFollowTheTitle() throws {
        let command = try parser.parse(#"open sev1 fraud Payout destination changed --ref ZD-88213 --ref ZD-1 --known "2026-11-28 21:30""#)
        #expect(command.string("title") == "Payout destination changed")
        #expect(command.optionStrings("ref") == ["ZD-88213", "ZD-1"])
        let expected = Date(timeIntervalSince1970: 1_795_902_000 - 600)
        #expect(command.optionTime("known") == expected)
    }

    @Test func knownTimeTakesAZone() throws {
        let command = try parser.parse(#"open sev1 compliance Removal order --known "2026-11-28 03:01 Europe/Paris""#)
        #expect(command.optionTime("known") == TimeText.parse("2026-11-28 02:01", in: TimeZone(identifier: "UTC")!))
    }

    // MARK: - Errors

    @Test(arguments: [("opne", "open"), ("reslove", "resolve"), ("escalte", "escalate"), ("stauts", "status"), ("asign", "assign")])
    func misspeltSubcommandsGetDidYouMean(typed: String, meant: String) {
        #expect {
            try parser.parse("\(typed) 42")
        } throws: { error in
            guard let error = error as? UserError else { return false }
            return error.message.contains("Did you mean `\(meant)`") && error.usage?.hasPrefix(meant) == true
        }
    }

    @Test func aliasesAreAccepted() throws {
        #expect(try parser.parse("acknowledge 42").subcommand == .ack)
    }

    @Test func anUnknownWordListsTheSubcommands() {
        #expect {
            try parser.parse("frobnicate")
        } throws: { ($0 as? UserError)?.message.contains("Subcommands: ") == true }
    }

    @Test func anUnknownSeverityListsTheValidOnes() {
        #expect {
            try parser.parse("open sev9 fraud Something")
        } throws: { error in
            let message = (error as? UserError)?.message ?? ""
            return message.contains("Unknown severity “sev9”") && message.contains("sev1, sev2, sev3")
        }
    }

    @Test func aMisspeltCategorySuggestsTheRightOne() {
        #expect {
            try parser.parse("open sev1 fruad Something")
        } throws: { ($0 as? UserError)?.message.contains("Did you mean fraud?") == true }
    }

    @Test func missingArgumentsAreNamedWithUsage() {
        #expect {
            try parser.parse("resolve 42")
        } throws: { error in
            guard let error = error as? UserError else { return false }
            return error.message.contains("<resolution…>") && error.usage?.hasPrefix("resolve") == true
        }
        #expect { try parser.parse("open sev1 fraud") } throws: { ($0 as? UserError)?.message.contains("<title…>") == true }
        #expect { try parser.parse("ack") } throws: { ($0 as? UserError)?.message.contains("<id>") == true }
    }

    @Test func extraWordsAreRefused() {
        #expect {
            try parser.parse("ack 42 now please")
        } throws: { ($0 as? UserError)?.message.contains("Unexpected “now please”") == true }
    }

    @Test func unknownOptionsAreRefusedWithSuggestions() {
        #expect {
            try parser.parse("open sev1 fraud Title --reff ZD-1")
        } throws: { ($0 as? UserError)?.message.contains("Did you mean --ref?") == true }
        #expect {
            try parser.parse("open sev1 fraud Title --ref")
        } throws: { ($0 as? UserError)?.message.contains("--ref needs a value") == true }
        #expect {
            try parser.parse(#"open sev1 fraud Title --known "yesterday""#)
        } throws: { ($0 as? UserError)?.message.contains("is not a time") == true }
    }

    @Test func optionalArgumentsMayBeSkipped() throws {
        #expect(try parser.parse("list").arguments.isEmpty)
        #expect(try parser.parse("list fraud").string("category") == "fraud")
        #expect(try parser.parse("list breached fraud").string("scope") == "breached")
        #expect(try parser.parse("status").incidentNumber == nil)
        #expect(try parser.parse("status #3").incidentNumber == 3)
        #expect(try parser.parse("help resolve").string("subcommand") == "resolve")
        #expect(try parser.parse("").subcommand == .help)
    }
}
