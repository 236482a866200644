import Foundation
import Testing
import VigilCore
@testable import VigilStore

@Suite("Store contract: listings and unreadable rows")
struct QueryContractTests {
    /// Five incidents: 1 fraud open; 2 moderation acknowledged by ava; 3 fraud acknowledged by
    /// ben; 4 fraud resolved, owned by ava; 5 child-safety open, assigned to `@carol` by name.
    static func seed(_ store: any IncidentStore) async throws {
        let shapes: [(category: String, state: IncidentState, owner: UserRef?)] = [
            ("fraud", .open, nil), ("moderation", .acknowledged, ava), ("fraud", .acknowledged, ben),
            ("fraud", .resolved, ava), ("child-safety", .open, carolByName),
        ]
        for (offset, shape) in shapes.enumerated() {
            var work = openWork(offset + 1, category: shape.category, at: at(Double(offset) * 60))
            work.incident?.state = shape.state
            work.incident?.owner = shape.owner
            try await store.commit(work)
        }
    }

    static let filters: [(IncidentFilter, [Int])] = [
        (IncidentFilter(), [5, 4, 3, 2, 1]),
        (IncidentFilter(states: [.open]), [5, 1]),
        (IncidentFilter(states: [.open, .acknowledged]), [5, 3, 2, 1]),
        (IncidentFilter(category: "fraud"), [4, 3, 1]),
        (IncidentFilter(states: [.acknowledged], category: "fraud"), [3]),
        (IncidentFilter(category: "unknown"), []),
        (IncidentFilter(owner: ava), [4, 2]),
        // Issue 10, finding 3: names never match. `@AVA` typed by name is not ava, and an ID-bearing
        // reference does not match an owner stored by name only.
        (IncidentFilter(owner: UserRef(id: "AVA", name: "AVA")), []),
        (IncidentFilter(owner: UserRef(id: "U0CAROL", name: "carol")), []),
        // A platform-qualified reference matches rows stored before platforms were recorded.
        (IncidentFilter(owner: UserRef(id: "U0AVA", name: "ava", platform: "slack")), [4, 2]),
        // One person's linked accounts: either matches.
        (IncidentFilter(owners: [UserRef(id: "zz", name: "x", platform: "mattermost"), ben]), [3]),
        // Two different IDs never match on the name alone.
        (IncidentFilter(owner: UserRef(id: "U0OTHER", name: "ava")), []),
        (IncidentFilter(states: [.resolved], owner: ava), [4]),
        (IncidentFilter(limit: 2), [5, 4]),
        (IncidentFilter(limit: 0), []),
    ]

    @Test("filters select by state, category and owner, newest first, up to the limit", arguments: StoreKind.allCases, filters)
    func listing(kind: StoreKind, _ example: (filter: IncidentFilter, expected: [Int])) async throws {
        let (filter, expected) = example
        try await withStore(kind) { store in
            try await Self.seed(store)
            let found = try await store.incidents(matching: filter)
            #expect(found.map(\.number) == expected)
            // The owner filter agrees with the core's notion of the same person.
            if !filter.owners.isEmpty {
                #expect(found.allSatisfy { incident in filter.owners.contains { incident.owner?.isSamePerson(as: $0) == true } })
            }
        }
    }

    enum Read: String, Sendable, CaseIterable {
        case incident, listing, events, storedReply, repeatedCommit
    }

    static let corruptions: [(String, Read)] = [
        ("UPDATE incidents SET refs = 'not json'", .incident),
        (#"UPDATE incidents SET refs = '{"a":"b"}'"#, .listing),
        ("UPDATE incidents SET owner_id = 'U0X'", .incident),
        ("UPDATE incidents SET restricted = 2", .listing),
        ("UPDATE incidents SET level = 'high'", .incident),
        ("UPDATE incidents SET opened_at_ms = 'yesterday'", .incident),
        ("UPDATE events SET kind = 'exploded'", .events),
        (#"UPDATE events SET payload = '{"severity":1}'"#, .events),
        (#"UPDATE events SET payload = '["severity"]'"#, .events),
        (#"UPDATE idempotency SET reply = '{"visibility":"loud","lines":[]}'"#, .storedReply),
        (#"UPDATE idempotency SET reply = '{"visibility":"ephemeral","lines":[[{"t":"blink","v":"x"}]]}'"#, .storedReply),
        (#"UPDATE idempotency SET reply = '{"visibility":"ephemeral","lines":[[{"t":"mention","id":"U1"}]]}'"#, .repeatedCommit),
        (#"UPDATE idempotency SET reply = '{"visibility":"ephemeral"}'"#, .repeatedCommit),
    ]

    /// Corruptions PostgreSQL's column types and CHECK constraints refuse outright, so that no
    /// read there can meet them.
    static let refusedByPostgres: Set<String> = [
        "UPDATE incidents SET restricted = 2", "UPDATE incidents SET level = 'high'",
        "UPDATE incidents SET opened_at_ms = 'yesterday'",
    ]

    @Test("a row that does not decode is a store failure that names the column, not a crash",
          arguments: StoreKind.allCases, corruptions)
    func unreadableRow(kind: StoreKind, _ example: (corruption: String, read: Read)) async throws {
        let (corruption, read) = example
        try await withStore(kind) { store in
            // setup
            try await store.commit(openWork(1, requestID: "r1"))
            if kind == .postgres, Self.refusedByPostgres.contains(corruption) {
                await #expect(throws: StoreError.self) { try await tamper(store, corruption) }
                return
            }
            try await tamper(store, corruption)

            // MUT
            let error = await #expect(throws: StoreError.self) {
                switch read {
                case .incident: _ = try await store.incident(1)
                case .listing: _ = try await store.incidents(matching: IncidentFilter())
                case .events: _ = try await store.events(of: 1)
                case .storedReply: _ = try await store.storedReply(requestID: "r1")
                case .repeatedCommit: try await store.commit(openWork(2, requestID: "r1"))
                }
            }

            // validate: a failure, and no stored text (which may be restricted) in the message
            #expect(error?.kind == .failure)
            #expect(error?.message.contains("Card testing") == false)
            try await store.ping()
        }
    }
}
