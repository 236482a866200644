import Foundation
import Testing
import VigilCore
import VigilTestSupport

@testable import VigilStore

/// Intake dedup keys on both adapters: recorded with the incident that opened them, in the same
/// unit of work; a second unit recording the same key, or replacing one that moved on, fails
/// with `keyTaken` and writes nothing.
@Suite struct IntakeKeyContractTests {
    @Test(arguments: StoreKind.allCases)
    func aKeyIsRecordedWithItsIncidentAndOnlyOnce(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // setup
            var first = openWork(1, requestID: "intake:webhook:m1")
            first.intakeKey = IntakeKeyWrite(key: "webhook:case-1", incident: 1)
            // MUT
            try await store.commit(first)
            // validate
            #expect(try await store.intakeIncident(key: "webhook:case-1") == 1)
            #expect(try await store.intakeIncident(key: "webhook:other") == nil)

            // A racing delivery that also opened an incident for the key: nothing of it is written.
            var second = openWork(2, requestID: "intake:webhook:m2")
            second.intakeKey = IntakeKeyWrite(key: "webhook:case-1", incident: 2)
            let error = await #expect(throws: StoreError.self) { try await store.commit(second) }
            #expect(error?.kind == .keyTaken)
            #expect(try await store.incident(2) == nil)
            #expect(try await store.storedRequest(requestID: "intake:webhook:m2") == nil)

            // after_resolve: new moves the key on, guarded by the incident it named.
            var stale = openWork(3, requestID: "intake:webhook:m3")
            stale.intakeKey = IntakeKeyWrite(key: "webhook:case-1", incident: 3, replacing: 9)
            await #expect(throws: StoreError.self) { try await store.commit(stale) }
            #expect(try await store.incident(3) == nil)
            var moved = openWork(3, requestID: "intake:webhook:m4")
            moved.intakeKey = IntakeKeyWrite(key: "webhook:case-1", incident: 3, replacing: 1)
            try await store.commit(moved)
            #expect(try await store.intakeIncident(key: "webhook:case-1") == 3)
        }
    }
}
