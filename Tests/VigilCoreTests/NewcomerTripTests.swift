import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// What a newcomer tripped over: options mangled or refused, plain words refused, text rewritten.
@Suite struct NewcomerTripTests {
    let parser: CommandParser

    init() throws {
        parser = try Fixtures.parser()
    }

    @Test func anOptionTakesAQuotedValueAfterItsEqualsSign() throws {
        let command = try parser.parse(#"open sev1 fraud Card testing --known="2026-11-28 05:30 Europe/Paris" --ref=ZenDesk-AbC"#)
        #expect(command.optionTime("known") == Date(timeIntervalSince1970: 1_795_840_200))
        #expect(command.optionStrings("ref") == ["ZenDesk-AbC"])
        #expect(command.string("title") == "Card testing")
        // An unclosed quote after `=` is refused, naming where it opened.
        #expect {
            try parser.parse(#"open sev1 fraud X --known="2026-11-28 05:30"#)
        } throws: { ($0 as? UserError)?.message.contains("is never closed") == true }
    }

    @Test(arguments: [("closed", ListScope.resolved), ("resolved", .resolved), ("followups", .followups), ("mine", .mine)])
    func listTakesPlainWords(word: String, scope: ListScope) throws {
        let command = try parser.parse("list \(word)")
        #expect(command.string("scope").flatMap(ListScope.named) == scope)
    }

    @Test func listsOfRequirementsAreJoinedWithoutRewritingTheWords() {
        #expect(Suggestions.andList(["“Remove or disable the content”", "“Report”"]) == "“Remove or disable the content” and “Report”")
        #expect(Suggestions.andList(["a", "b", "c"]) == "a, b and c")
    }

    @Test(arguments: ["step 2 don", "step 2 finish", "step 2 Done-ish"])
    func aMisspeltStepActionIsRefusedNotShown(text: String) throws {
        let command = try parser.parse(text)
        #expect {
            try StepRequest.refuseUnknownAction(command)
        } throws: { error in
            let message = (error as? UserError)?.message ?? ""
            return message.contains("is not a step action") && (text != "step 2 don" || message.contains("Did you mean `done`?"))
        }
        // Showing, with or without a step name, is not refused.
        try StepRequest.refuseUnknownAction(try parser.parse("step 2"))
        try StepRequest.refuseUnknownAction(try parser.parse("step 2 show suspend-account"))
    }
}
