import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Restricted incidents where a reply's audience differs from a typed Slack command's: a button
/// press (no typed text for the channel to see) and a Teams thread (every "private" reply public).
@Suite struct PressAndThreadRedactionTests {
    static let title = RedactionTests.secretTitle
    let parser: CommandParser
    let catalog: PlaybookCatalog

    init() throws {
        catalog = PlaybookCatalog(try Fixtures.shippedPlaybooks())
        parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: Fixtures.policy, catalog: catalog)
    }

    func run(_ text: String, on incident: Incident?, press: Bool = false, privateReplies: Bool = true, at offset: TimeInterval = 0)
        throws -> Outcome
    {
        let command = try parser.parse(text)
        var context = Fixtures.context(Fixtures.dee, at: Fixtures.t0 + offset, catalog: catalog)
        context.isButtonPress = press
        context.repliesArePrivate = privateReplies
        if command.subcommand == .open { return try Lifecycle.planOpen(command, context: context).outcome(number: 58) }
        return try Lifecycle.apply(command, to: incident, context: context)
    }

    @Test func aPressedAckOnARestrictedIncidentUpdatesInChannelWithTheRedactedLineAndATypedOneStaysPrivate() throws {
        // setup
        let opened = try run("open sev1 csam \(Self.title)", on: nil)

        // MUT
        let pressed = try run("ack 58", on: opened.incident, press: true, at: 60)
        let typed = try run("ack 58", on: opened.incident, at: 60)

        // validate
        #expect(opened.incident.restricted)
        #expect(pressed.reply.visibility == .inChannel)
        #expect(typed.reply.visibility == .ephemeral)
        #expect(pressed.reply.message == pressed.outbox.first { $0.channel == .incidents }?.message)
        #expect(!pressed.reply.message.plainText.contains("99812"))
        #expect(pressed.reply.message.plainText.contains("INC-58 acknowledged"))
    }

    @Test func aPressedStepDoneOnARestrictedIncidentStaysWithThePresser() throws {
        // setup
        let opened = try run("open sev1 csam \(Self.title)", on: nil)

        // MUT
        let done = try run("step 58 done preserve-evidence hash=ab12 storage_ref=vault/58", on: opened.incident, press: true, at: 60)

        // validate: the step titles that follow are for the cleared presser alone.
        #expect(done.reply.visibility == .ephemeral)
        #expect(done.reply.message.plainText.contains("Report to the NCMEC CyberTipline"))
        #expect(done.outbox.allSatisfy { !$0.message.plainText.contains("NCMEC") })
    }

    @Test func inATeamsThreadACleardPersonsRepliesOnARestrictedIncidentSayWhatTheChannelWasTold() throws {
        // setup
        let opened = try run("open sev1 csam \(Self.title)", on: nil, privateReplies: false)

        // MUT
        let done = try run(
            "step 58 done preserve-evidence hash=ab12 storage_ref=vault/58", on: opened.incident, privateReplies: false, at: 60)
        let noted = try run("note 58 hash 77ab stored at vault/58", on: done.incident, privateReplies: false, at: 90)

        // validate
        for reply in [opened.reply, done.reply, noted.reply] {
            let text = reply.message.plainText
            #expect(text.contains("INC-58"))
            for detail in ["99812", "Preserve evidence", "NCMEC", "vault/58", "ab12"] {
                #expect(!text.contains(detail), "\(detail) in: \(text)")
            }
            #expect(text.contains("not shown here"))
        }
        // The same commands with private replies show the cleared person the steps.
        let privately = try run("open sev1 csam \(Self.title)", on: nil)
        #expect(privately.reply.message.plainText.contains("Preserve evidence"))
    }
}
