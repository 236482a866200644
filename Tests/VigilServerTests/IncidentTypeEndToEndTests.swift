import Foundation
import Testing
import VigilCore
import VigilServer
import VigilTestSupport

/// Incident types over the Slack endpoint, with the shipped playbooks: the type picks the
/// playbook and its legal clock; a category alone never guesses.
@Suite struct IncidentTypeEndToEndTests {
    @Test func aTCOOrderGetsTheOneHourLegalClockFromKnown() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "Europe/Paris")
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            let knownText = formatter.string(from: vigil.clock.now.addingTimeInterval(-600)) + " Europe/Paris"
            let known = try #require(TimeText.parse(knownText, in: .gmt))
            let (status, opened) = try await vigil.slack(
                "open sev1 tco \"Removal order from BKA for 3 posts\" --known=\"\(knownText)\" --ref=ZenDesk-AbC", client: client)
            #expect(status == .ok)
            #expect(opened.responseType == "in_channel")
            #expect(opened.text.contains("EU terrorist-content removal order"))
            let incident = try #require(try await vigil.store.incident(1))
            #expect(incident.playbook == "tco-removal")
            #expect(incident.category == "compliance")
            #expect(incident.refs == ["ZenDesk-AbC"])
            let legal = try #require(try await vigil.store.clocks(of: 1).first { $0.kind == .legal })
            #expect(abs(legal.dueAt.timeIntervalSince(known.addingTimeInterval(3600))) < 1)
            #expect(legal.rule?.contains("2021/784") == true)
        }
    }

    @Test func aComplianceOrderOpenedByCategoryWaitsForAChoiceWithTCOFirst() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, opened) = try await vigil.slack("open sev1 compliance EU removal order for terrorist content", client: client)
            #expect(opened.text.contains("playbook not chosen"))
            let first = try #require(opened.text.range(of: "/incident playbook INC-1 "))
            #expect(opened.text[first.upperBound...].hasPrefix("tco-removal"))
            #expect(try await vigil.store.incident(1)?.playbook == nil)
            #expect(try await vigil.store.clocks(of: 1).contains { $0.name == PlaybookChoice.clockName && $0.state == .running })

            let (_, listed) = try await vigil.slack("list", client: client)
            #expect(listed.text.contains("playbook not chosen"))
            let (_, status) = try await vigil.slack("status 1", client: client)
            #expect(status.text.contains("Playbook not chosen"))

            let (_, chosen) = try await vigil.slack("playbook 1 tco-removal", client: client)
            #expect(chosen.text.contains("playbook chosen"))
            #expect(try await vigil.store.incident(1)?.playbook == "tco-removal")
            #expect(try await vigil.store.clocks(of: 1).first { $0.name == PlaybookChoice.clockName }?.state == .cancelled)
        }
    }

    @Test func cardTestingAttachesThePaymentFraudPlaybook() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, opened) = try await vigil.slack("open sev1 card-testing Card testing spike on checkout", client: client)
            #expect(opened.text.contains("opened · SEV1 · fraud — Card testing spike on checkout"))
            #expect(try await vigil.store.incident(1)?.playbook == "payment-fraud")
        }
    }

    @Test func inCSAMTheSuspensionClockRunsFromTheStart() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, opened) = try await vigil.slack("open sev1 csam Fan report of exploitative DMs", as: Fixtures.dee, client: client)
            #expect(opened.responseType == "ephemeral")
            let incident = try #require(try await vigil.store.incident(1))
            #expect(incident.restricted)
            let clocks = try await vigil.store.clocks(of: 1)
            let suspend = try #require(clocks.first { $0.name == "step:suspend-account" })
            #expect(suspend.state == .running)
            #expect(suspend.startedAt == incident.knownAt)
            #expect(abs(suspend.dueAt.timeIntervalSince(incident.knownAt.addingTimeInterval(4 * 3600))) < 1)
            // Several steps are open at once; done must name one.
            let (_, refused) = try await vigil.slack("step 1 done", as: Fixtures.dee, client: client)
            #expect(refused.responseType == "ephemeral")
            #expect(refused.text.contains("steps of INC-1 are open"))
            let (_, typo) = try await vigil.slack("step 1 don", as: Fixtures.dee, client: client)
            #expect(typo.text.contains("Did you mean `done`?"))
        }
    }

    @Test func typesListsEveryShippedTypeAndHelpOpenNamesThem() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, types) = try await vigil.slack("types", client: client)
            #expect(types.responseType == "ephemeral")
            for playbook in try Fixtures.shippedPlaybooks() {
                #expect(types.text.contains("• \(playbook.type)"), "type \(playbook.type) is listed")
            }
            let (_, help) = try await vigil.slack("help open", client: client)
            #expect(help.text.contains("• tco"))
        }
    }
}
