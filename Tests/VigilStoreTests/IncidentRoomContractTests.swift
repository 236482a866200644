import Foundation
import Testing
import VigilCore
import VigilStore

/// Incident channels on both adapters: recorded once, found by incident and by channel, due for
/// archiving only once their incident has been resolved for the channel's delay, and archived once.
@Suite("Store contract: incident channels")
struct IncidentRoomContractTests {
    static func room(_ incident: Int, channel: String, visibility: RoomVisibility = .public, after: Duration = .seconds(3_600))
        -> IncidentRoom
    {
        IncidentRoom(
            incident: incident, platform: "slack", channel: channel, name: "inc-\(incident)", visibility: visibility, archiveAfter: after,
            createdAt: at(10))
    }

    /// Resolves `number` at `time` with a unit of work, as `resolve` would.
    static func resolve(_ number: Int, at time: Date, in store: any IncidentStore) async throws {
        let incident = try #require(try await store.incident(number))
        var next = incident
        next.state = .resolved
        next.resolvedAt = time
        next.resolvedBy = ava
        next.resolution = "done"
        let event = EventChain.append(.resolved, by: ava, at: time, to: &next)
        try await store.commit(
            UnitOfWork(
                requestID: "resolve-\(number)", reply: Reply(.inChannel, message("resolved")), incident: next,
                expectedSequence: incident.lastSequence, events: [event], outbox: []))
    }

    @Test("recorded once; found by incident and by channel", arguments: StoreKind.allCases)
    func record(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(openWork(1))
            let first = Self.room(1, channel: "C0ROOM1")
            // MUT
            try await store.recordRoom(first)
            try await store.recordRoom(Self.room(1, channel: "C0ROOM1", visibility: .private))
            try await store.recordRoom(Self.room(1, channel: "C0ROOM2", visibility: .private))
            // validate
            let rooms = try await store.rooms(of: 1)
            #expect(rooms.map(\.channel) == ["C0ROOM1", "C0ROOM2"])
            #expect(rooms.first == first)
            #expect(try await store.room(platform: "slack", channel: "C0ROOM2")?.visibility == .private)
            #expect(try await store.room(platform: "mattermost", channel: "C0ROOM1") == nil)
            #expect(try await store.rooms(of: 2).isEmpty)
        }
    }

    @Test("due for archive only after resolve plus the delay, and archived once", arguments: StoreKind.allCases)
    func archive(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(openWork(1))
            try await store.commit(openWork(2, requestID: "open-2"))
            try await store.recordRoom(Self.room(1, channel: "C0ONE", after: .seconds(3_600)))
            try await store.recordRoom(Self.room(2, channel: "C0TWO", after: .seconds(60)))
            #expect(try await store.roomsDueForArchive(now: at(100_000), limit: 10).isEmpty)
            try await Self.resolve(1, at: at(1_000), in: store)
            // MUT / validate: due at resolve + delay, not a millisecond before.
            #expect(try await store.roomsDueForArchive(now: at(4_599), limit: 10).isEmpty)
            #expect(try await store.roomsDueForArchive(now: at(4_600), limit: 10).map(\.channel) == ["C0ONE"])
            try await store.markRoomArchived(platform: "slack", channel: "C0ONE", at: at(4_601))
            #expect(try await store.roomsDueForArchive(now: at(9_000), limit: 10).isEmpty)
            #expect(try await store.room(platform: "slack", channel: "C0ONE")?.archivedAt == at(4_601))
            // Archiving again keeps the first time.
            try await store.markRoomArchived(platform: "slack", channel: "C0ONE", at: at(5_000))
            #expect(try await store.room(platform: "slack", channel: "C0ONE")?.archivedAt == at(4_601))
        }
    }
}
