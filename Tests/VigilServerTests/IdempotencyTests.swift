import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import VigilCore
@testable import VigilServer
import VigilTestSupport

/// Finding 8: a `trigger_id` reused with another user and text returned the first user's reply;
/// concurrent notes on one incident failed after one retry.
@Suite struct IdempotencyTests {
    @Test func finding8_aTriggerIDReusedByAnotherUserWithOtherTextIsRefused() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            // setup: a restricted incident opened by dee (cleared for it) under a known trigger_id
            let (_, first) = try await vigil.slack("open sev1 child-safety Report 99812", as: Fixtures.dee, trigger: "7.7.aaa", client: client)
            #expect(first.text.hasPrefix("INC-1 opened"))
            // MUT: ben replays the trigger_id with another command
            let (status, replayed) = try await vigil.slack("resolve 1 nothing to see", as: Fixtures.ben, trigger: "7.7.aaa", client: client)
            // validate: refused, ephemeral, nothing of the first reply shown
            #expect(status == .ok)
            #expect(replayed.responseType == "ephemeral")
            #expect(replayed.text == CommandDesk.reusedRequestRefusal)
            #expect(replayed.raw != first.raw)
            // The same text from another sender is refused too; the first sender's retry is answered.
            let (_, sameText) = try await vigil.slack("open sev1 child-safety Report 99812", as: Fixtures.ben, trigger: "7.7.aaa", client: client)
            #expect(sameText.text == CommandDesk.reusedRequestRefusal)
            let (_, otherText) = try await vigil.slack("note 1 mine now", as: Fixtures.dee, trigger: "7.7.aaa", client: client)
            #expect(otherText.text == CommandDesk.reusedRequestRefusal)
            let (_, retry) = try await vigil.slack("open sev1 child-safety Report 99812", as: Fixtures.dee, trigger: "7.7.aaa", client: client)
            #expect(retry.raw == first.raw)
        }
        #expect(try await vigil.store.events(of: 1).map(\.kind) == [.opened])
        #expect(try await vigil.store.incident(1)?.state == .open)
    }

    @Test func finding8_aReuseThatRacesTheFirstCommitIsRefusedToo() async throws {
        // setup: the first request committed between the second's lookup and its commit, which
        // the store reports as a duplicate carrying what it stored
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        let first = Invocation(
            platform: "slack", user: Fixtures.ava, channelName: "ts", channelID: "C1", command: "/incident",
            text: "open sev2 fraud Card testing", responseURL: nil, requestID: "race")
        _ = await vigil.app.desk.handle(first)
        let stored = try #require(try await vigil.store.storedRequest(requestID: "slack:race"))
        var other = first
        other.user = Fixtures.ben
        // MUT + validate
        #expect(vigil.app.desk.answerRepeat(of: other, requestID: "slack:race", stored: stored).message.plainText == CommandDesk.reusedRequestRefusal)
        #expect(vigil.app.desk.answerRepeat(of: first, requestID: "slack:race", stored: stored) == stored.reply)
        #expect(stored.fingerprint == RequestFingerprint(first))
    }

    /// Ten notes at once through `desks` (taken in turn), each its own request; returns the replies.
    func tenConcurrentNotes(_ vigil: TestVigil, through desks: [CommandDesk]) async throws -> [Reply] {
        let open = Invocation(
            platform: "slack", user: Fixtures.ava, channelName: "ts", channelID: "C1", command: "/incident",
            text: "open sev2 moderation Brigading", responseURL: nil, requestID: UUID().uuidString)
        _ = await vigil.app.desk.handle(open)
        return await withTaskGroup(of: Reply.self) { group in
            for index in 1...10 {
                let desk = desks[index % desks.count]
                group.addTask {
                    await desk.handle(Invocation(
                        platform: "slack", user: index.isMultiple(of: 2) ? Fixtures.ben : Fixtures.dee, channelName: "ts",
                        channelID: "C1", command: "/incident", text: "note 1 finding \(index)", responseURL: nil,
                        requestID: UUID().uuidString))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test(arguments: [1, 2])
    func finding8_tenConcurrentNotesOnOneIncidentAreAllAccepted(replicas: Int) async throws {
        // setup: one desk, or two desks on one database, as two replicas would be (their
        // commands race in the store and are retried with backoff)
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        var desks = [vigil.app.desk]
        if replicas == 2 {
            let clock = vigil.clock
            var logger = Logger(label: "replica")
            logger.logLevel = .critical
            desks.append(CommandDesk(
                store: vigil.store, parser: try Fixtures.parser(), now: { clock.now }, outboxWritten: {}, logger: logger))
        }
        // MUT
        let replies = try await tenConcurrentNotes(vigil, through: desks)
        // validate
        #expect(replies.allSatisfy { $0.message.plainText.contains("INC-1 note added") }, "\(replies.map(\.message.plainText))")
        let notes = try await vigil.store.events(of: 1).filter { $0.kind == .noted }
        #expect(notes.count == 10)
        #expect(EventChain.verify(try await vigil.store.events(of: 1)))
    }
}
