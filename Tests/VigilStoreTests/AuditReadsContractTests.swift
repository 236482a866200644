import Foundation
import Testing
import VigilCore

@testable import VigilStore

@Suite("Store contract: the audit's walk over incidents")
struct AuditReadsContractTests {
    @Test("incident numbers come a page at a time, ascending, after the one given", arguments: StoreKind.allCases)
    func pages(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // Committed out of order, with a gap: the walk follows the numbers, not the commits.
            for number in [3, 1, 7, 2, 5] { try await store.commit(openWork(number)) }

            #expect(try await store.incidentNumbers(after: 0, limit: 2) == [1, 2])
            #expect(try await store.incidentNumbers(after: 2, limit: 2) == [3, 5])
            #expect(try await store.incidentNumbers(after: 5, limit: 2) == [7])
            #expect(try await store.incidentNumbers(after: 7, limit: 2) == [])
            #expect(try await store.incidentNumbers(after: 0, limit: 0) == [])
            #expect(try await store.incidentNumbers(after: 0, limit: 100) == [1, 2, 3, 5, 7])
        }
    }
}
