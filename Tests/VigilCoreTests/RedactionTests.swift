import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Restricted categories: in-channel replies and channel posts carry ID, severity and category only.
@Suite struct RedactionTests {
    static let secretTitle = "Fan report of exploitative DMs from account 99812"

    @Test(arguments: [
        "ack 58", "assign 58 @ben", "escalate 58 account 99812 again", "note 58 account 99812 hash abc",
        "sev 58 sev2", "resolve 58 account 99812 suspended, reported",
    ])
    func noRestrictedDetailLeavesInChannelOrToChannels(command: String) throws {
        let parser = try Fixtures.parser()
        let opened = try Fixtures.apply("open sev1 child-safety \(Self.secretTitle)", to: nil, number: 58, parser: parser)
        #expect(opened.incident.restricted)
        // Dee is cleared: only cleared people may act on a restricted incident at all (issue 10).
        let outcome = try Fixtures.apply(command, to: opened.incident, by: Fixtures.dee, parser: parser)
        for message in [opened.reply.message, outcome.reply.message] + (opened.outbox + outcome.outbox).map(\.message) {
            #expect(!message.plainText.contains("99812"))
            #expect(!message.plainText.contains("exploitative"))
            #expect(message.plainText.contains("INC-58"))
            #expect(message.plainText.contains("child-safety (restricted)"))
        }
    }

    @Test func privateViewsHideTheTitleFromPeopleOutsideTheRole() throws {
        let parser = try Fixtures.parser()
        let opened = try Fixtures.apply("open sev1 child-safety \(Self.secretTitle)", to: nil, number: 58, parser: parser)
        let noted = try Fixtures.apply("note 58 hash 77ab stored at vault/58", to: opened.incident, by: Fixtures.dee, parser: parser)
        let events = opened.events + noted.events
        let forAva = IncidentViews.status(of: noted.incident, events: events, outbox: nil, context: Fixtures.context(Fixtures.ava))
        #expect(!forAva.message.plainText.contains("99812"))
        #expect(!forAva.message.plainText.contains("vault/58"))
        let forDee = IncidentViews.status(of: noted.incident, events: events, outbox: nil, context: Fixtures.context(Fixtures.dee))
        #expect(forDee.message.plainText.contains(Self.secretTitle))
        #expect(forDee.message.plainText.contains("vault/58"))
        #expect(forAva.visibility == .ephemeral)
    }

    /// Teams has no private replies: what the core calls ephemeral is seen by the whole thread,
    /// so even a cleared user's views show a restricted incident as the channel does.
    @Test(
        "a cleared user's status, summary and list show a restricted title and details only in a private reply", arguments: [true, false])
    func restrictedTitlesFollowWhetherRepliesArePrivate(repliesArePrivate: Bool) throws {
        // setup
        let parser = try Fixtures.parser()
        let opened = try Fixtures.apply("open sev1 child-safety \(Self.secretTitle)", to: nil, number: 58, parser: parser)
        let noted = try Fixtures.apply("note 58 hash 77ab stored at vault/58", to: opened.incident, by: Fixtures.dee, parser: parser)
        let events = opened.events + noted.events
        var context = Fixtures.context(Fixtures.dee)
        context.repliesArePrivate = repliesArePrivate

        // MUT
        let status = IncidentViews.status(of: noted.incident, events: events, outbox: nil, context: context)
        let summary = IncidentViews.summary(of: noted.incident, events: events, clocks: [], context: context)
        let list = IncidentViews.list([noted.incident], title: "open incidents", context: context)
        let overview = IncidentViews.overview(of: [noted.incident], outbox: OutboxHealth(pending: 0, deadLettered: 0), context: context)
        let followUps = IncidentViews.followUps([noted.incident], title: "follow-ups", context: context)

        // validate
        for reply in [status, summary, list, overview, followUps] {
            let text = reply.message.plainText
            #expect(text.contains("INC-58"))
            #expect(text.contains(Self.secretTitle) == repliesArePrivate, "\(text)")
            #expect(text.contains("(restricted: title hidden)") != repliesArePrivate, "\(text)")
        }
        for reply in [status, summary] {
            #expect(reply.message.plainText.contains("vault/58") == repliesArePrivate)
        }
    }

    @Test func anIncidentThatIsNotRestrictedShowsItsTitleInASharedReply() throws {
        let parser = try Fixtures.parser()
        let opened = try Fixtures.apply("open sev2 fraud Card testing spike", to: nil, number: 7, parser: parser)
        var context = Fixtures.context(Fixtures.ava)
        context.repliesArePrivate = false
        let status = IncidentViews.status(of: opened.incident, events: opened.events, outbox: nil, context: context)
        #expect(status.message.plainText.contains("Card testing spike"))
    }
}
