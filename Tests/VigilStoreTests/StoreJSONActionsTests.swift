import Foundation
import Testing
import VigilCore

@testable import VigilStore

/// Buttons kept with the message they belong to, in outbox rows and stored replies.
@Suite struct StoreJSONActionsTests {
    static let message = Message(
        lines: [[.bold("INC-42"), .text(" opened")]],
        actions: [
            MessageAction(name: "ack", label: "Ack", command: "ack INC-42", style: .primary),
            MessageAction(name: "resolve", label: "Resolve", command: "resolve INC-42", style: .danger, asks: "How was INC-42 resolved?"),
        ])

    @Test func aMessagesButtonsSurviveTheRoundTrip() throws {
        // MUT
        let message = try StoreJSON.decodeMessage(StoreJSON.encode(Self.message))
        let reply = try StoreJSON.decodeReply(StoreJSON.encode(Reply(.inChannel, Self.message)))

        // validate
        #expect(message == Self.message)
        #expect(reply == Reply(.inChannel, Self.message))
    }

    @Test func aMessageWithoutButtonsIsStoredAsBefore() throws {
        // setup: the text rows written before buttons existed hold.
        let old = #"{"lines":[[{"t":"text","v":"hello"}]]}"#

        // MUT / validate
        #expect(StoreJSON.encode(Message(lines: [[.text("hello")]])) == old)
        #expect(try StoreJSON.decodeMessage(old).actions.isEmpty)
    }

    @Test(arguments: [
        #"{"lines":[],"actions":{}}"#, #"{"lines":[],"actions":[{"name":"a","label":"A","command":"ack 1"}]}"#,
        #"{"lines":[],"actions":[{"name":"a","label":"A","command":"ack 1","style":"loud"}]}"#,
        #"{"lines":[],"actions":[{"name":"a","label":"A","command":"ack 1","style":"plain","asks":3}]}"#,
    ])
    func aDamagedActionIsAnError(stored: String) {
        #expect(throws: RowDecodingError.self) { try StoreJSON.decodeMessage(stored) }
    }
}
