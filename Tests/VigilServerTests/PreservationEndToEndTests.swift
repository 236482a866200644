import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilCore
import VigilServer
import VigilTestSupport

/// The evidence-preservation ledger end to end with the shipped CSAM playbook and a real store:
/// the entry recorded when its preserving step is done, `holds` and the hold commands from
/// chat, the release reminder through the scheduler with a manual clock, and the export.
@Suite(.serialized) struct PreservationEndToEndTests {
    /// Dee is cleared and legal.
    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.roles.members[.legal] = [Identity(platform: "slack", id: "U0DEE")]
        return policy
    }()

    @Test func aPreservingStepRecordsAnEntryHeldFromChatRemindedBeforeReleaseAndExported() async throws {
        let vigil = try TestVigil(policy: Self.policy)
        defer { vigil.cleanUp() }
        let dee = Fixtures.dee
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev1 csam Reported image", as: dee, client: client)
            _ = try await vigil.slack("step 1 done preserve-evidence hash=9f86d081 storage_ref=EVID-2231", as: dee, client: client)
            _ = try await vigil.slack("step 1 done report-ncmec report_number=152683940", as: dee, client: client)
            let (_, done) = try await vigil.slack("step 1 done preserve-report preserve_until=2026-12-01", as: dee, client: client)
            #expect(done.text.contains("Preserved") || done.raw.contains("Preserved"))
        }
        // One entry: where (from the earlier steps too), the hash, a year from now.
        let ledgerEvents = try await vigil.store.ledgerEvents()
        let entry = try #require(PreservationLedger.entries(from: ledgerEvents).first)
        #expect(entry.what == "contents of the CyberTipline report")
        #expect(entry.location.contains("storage_ref=EVID-2231") && entry.location.contains("report_number=152683940"))
        #expect(entry.hash == "hash=9f86d081")
        #expect(entry.law?.contains("REPORT Act") == true)
        let doneAt = vigil.clock.now
        #expect(entry.releaseAt == PreservationPeriod(years: 1).end(from: doneAt, in: Self.policy.timeZone))

        // `holds` lists it; a responder may not, nor place a hold.
        try await vigil.withClient { client in
            let (_, list) = try await vigil.slack("holds due 400d", as: dee, client: client)
            #expect(list.raw.contains("contents of the CyberTipline report") && list.raw.contains("EVID-2231"))
            let (_, refused) = try await vigil.slack("hold 1 FBI request", as: Fixtures.ava, client: client)
            #expect(!refused.raw.contains("legal hold placed"))
        }

        // Two weeks before the release date, the scheduler reminds legal in the leads channel.
        vigil.clock.advance(by: entry.releaseAt.timeIntervalSince(doneAt) - 14 * 86_400 + 1)
        _ = try await vigil.app.scheduler.fireDue()
        _ = try await vigil.app.delivery.deliverDue()
        #expect(vigil.console.all.contains { $0.channel == "leads" && $0.text.contains("may be released") })

        // A legal hold from chat: the ledger shows it, the events chain it, the export says so.
        try await vigil.withClient { client in
            let (_, held) = try await vigil.slack("hold 1 FBI request 2026-4471 to extend", as: dee, client: client)
            #expect(held.raw.contains("legal hold placed"))
        }
        let heldEntry = try #require(PreservationLedger.entries(from: try await vigil.store.ledgerEvents()).first)
        #expect(heldEntry.hold?.reason == "FBI request 2026-4471 to extend")
        #expect(!heldEntry.isReleasable(at: entry.releaseAt + 86_400))
        let trail = AuditTrail(store: vigil.store, policy: Self.policy)
        let csv = trail.ledgerCSV(try await trail.ledger())
        #expect(csv.hasPrefix("incident,category,playbook,step,what,where"))
        #expect(csv.contains("INC-1,child-safety,csam,preserve-report") && csv.contains(",yes,slack:U0DEE,"))
        let json = trail.ledgerJSON(try await trail.ledger(), now: vigil.clock.now)
        #expect(json.contains("\"schema\":\"vigil.ledger/1\"") && json.contains("\"releasable\":false"))
        let verification = try await trail.verify(incident: 1)
        #expect(verification.firstBreak == nil)

        // The command line exports the same ledger from the database; a wrong format is a 64.
        let database = "sqlite:" + vigil.directory.appendingPathComponent("vigil.sqlite").path
        let exported = try await VigilExecutable.run(["holds", "--database", database], in: vigil.directory)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout == csv)
        let wrong = try await VigilExecutable.run(["holds", "--format", "xml", "--database", database], in: vigil.directory)
        #expect(wrong.status == 64 && wrong.stderr == "vigil holds: unknown --format \"xml\"; use csv or json\n")
    }
}
