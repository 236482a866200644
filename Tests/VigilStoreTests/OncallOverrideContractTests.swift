import Foundation
import Testing
import VigilCore
import VigilStore

/// On-call overrides made from chat, on both adapters: recorded with their audit trail, listed
/// while they matter, approved and cancelled once, and still there after a restart.
@Suite("Store contract: on-call overrides")
struct OncallOverrideContractTests {
    static let dee = UserRef(id: "U0DEE", name: "dee", platform: "slack")
    static let lead = UserRef(id: "U0LEAD", name: "lead", platform: "slack")
    static let ava = UserRef(id: "U0AVA", name: "ava", platform: "slack")

    static func new(from: TimeInterval = 0, until: TimeInterval = 3_600, approved: Bool = false, request: String? = nil)
        -> NewOncallOverride
    {
        NewOncallOverride(
            schedules: ["ts-primary", "ts-secondary"], who: dee, covers: ava, from: at(from), until: at(until), createdBy: dee,
            createdAt: at(-60), approved: approved, requestID: request)
    }

    @Test("recorded with an id and its maker; approved at once when it needs no approval", arguments: StoreKind.allCases)
    func record(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // MUT
            let pending = try await store.recordOncallOverride(Self.new(request: "slack:T1"))
            let approved = try await store.recordOncallOverride(Self.new(from: 100, until: 200, approved: true))
            // validate
            #expect(pending.id == 1 && approved.id == 2)
            #expect(pending.isPending && pending.approvedBy == nil)
            #expect(pending.schedules == ["ts-primary", "ts-secondary"])
            #expect(pending.who == Self.dee && pending.covers == Self.ava && pending.createdBy == Self.dee)
            #expect(pending.from == at(0) && pending.until == at(3_600) && pending.createdAt == at(-60))
            #expect(approved.isInForce && approved.approvedBy == Self.dee && approved.approvedAt == at(-60))
            #expect(try await store.oncallOverride(id: 1) == pending)
            #expect(try await store.oncallOverride(id: 3) == nil)
        }
    }

    @Test("a repeat of the request that made an override records no second one", arguments: StoreKind.allCases)
    func repeatedRequest(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.recordOncallOverride(Self.new(request: "slack:T1"))
            // MUT
            let again = try await store.recordOncallOverride(Self.new(from: 5, request: "slack:T1"))
            // validate
            #expect(again == first)
            #expect(try await store.oncallOverrides(activeAfter: at(0)).count == 1)
        }
    }

    @Test("the list holds overrides not cancelled that end after the time, by start", arguments: StoreKind.allCases)
    func list(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let later = try await store.recordOncallOverride(Self.new(from: 500, until: 900))
            let ended = try await store.recordOncallOverride(Self.new(from: 0, until: 100))
            let current = try await store.recordOncallOverride(Self.new(from: 50, until: 600, approved: true))
            let cancelled = try await store.recordOncallOverride(Self.new(from: 60, until: 700))
            #expect(try await store.cancelOncallOverride(id: cancelled.id, by: Self.lead, at: at(61)))
            // MUT
            let listed = try await store.oncallOverrides(activeAfter: at(100))
            // validate
            #expect(listed.map(\.id) == [current.id, later.id])
            #expect(!listed.contains { $0.id == ended.id })
        }
    }

    @Test(
        "approve once: who and when are kept; a second approval or one of a cancelled override changes nothing",
        arguments: StoreKind.allCases)
    func approve(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.recordOncallOverride(Self.new())
            let second = try await store.recordOncallOverride(Self.new())
            // MUT
            #expect(try await store.approveOncallOverride(id: first.id, by: Self.lead, at: at(10)))
            #expect(try await !store.approveOncallOverride(id: first.id, by: Self.ava, at: at(20)))
            #expect(try await store.cancelOncallOverride(id: second.id, by: Self.dee, at: at(30)))
            #expect(try await !store.approveOncallOverride(id: second.id, by: Self.lead, at: at(40)))
            #expect(try await !store.approveOncallOverride(id: 99, by: Self.lead, at: at(40)))
            // validate
            let approved = try #require(try await store.oncallOverride(id: first.id))
            #expect(approved.isInForce && approved.approvedBy == Self.lead && approved.approvedAt == at(10))
            let cancelled = try #require(try await store.oncallOverride(id: second.id))
            #expect(cancelled.approvedAt == nil && cancelled.cancelledBy == Self.dee && cancelled.cancelledAt == at(30))
        }
    }

    @Test("cancel once: the first cancellation is kept", arguments: StoreKind.allCases)
    func cancel(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let override = try await store.recordOncallOverride(Self.new(approved: true))
            // MUT
            #expect(try await store.cancelOncallOverride(id: override.id, by: Self.lead, at: at(10)))
            #expect(try await !store.cancelOncallOverride(id: override.id, by: Self.dee, at: at(20)))
            // validate
            let cancelled = try #require(try await store.oncallOverride(id: override.id))
            #expect(!cancelled.isInForce && cancelled.cancelledBy == Self.lead && cancelled.cancelledAt == at(10))
            #expect(try await store.oncallOverrides(activeAfter: at(0)).isEmpty)
        }
    }

    @Test("overrides survive closing and reopening the store", arguments: StoreKind.allCases)
    func survivesRestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { open in
            let first = try await open()
            let recorded = try await first.recordOncallOverride(Self.new(request: "slack:T9"))
            #expect(try await first.approveOncallOverride(id: recorded.id, by: Self.lead, at: at(5)))
            await close(first)
            // MUT
            let second = try await open()
            let listed = try await second.oncallOverrides(activeAfter: at(0))
            let next = try await second.recordOncallOverride(Self.new())
            await close(second)
            // validate
            #expect(listed.map(\.id) == [recorded.id])
            #expect(listed.first?.approvedBy == Self.lead && listed.first?.approvedAt == at(5))
            #expect(next.id == recorded.id + 1)
        }
    }
}
