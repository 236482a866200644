import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// The pure intake decision: an intake case opens an incident exactly as `/incident open`
/// would, refuses a bad field by name, joins with a note, and never puts a restricted title in
/// a channel.
@Suite struct IntakeTests {
    static let catalog = PlaybookCatalog(try! Fixtures.shippedPlaybooks())

    static func context(at now: Date = Fixtures.t0, source: String = "webhook") -> CommandContext {
        CommandContext(
            policy: Fixtures.policy, now: now, actor: IntakeCase(source: source, kind: nil, severity: nil, title: "", origin: "").actor,
            platform: Invocation.intakePlatform, channel: "intake:\(source)", catalog: catalog)
    }

    static func webhookCase(
        _ kind: String? = "fraud", field: String = "category", severity: String? = "sev2", title: String = "Card testing on payouts",
        knownAt: Date? = nil, refs: [String] = []
    ) -> IntakeCase {
        IntakeCase(
            source: "webhook", kind: kind, kindField: field, severity: severity, title: title, knownAt: knownAt, refs: refs,
            dedupKey: "webhook:k1", origin: "the intake webhook")
    }

    @Test func knownAtStartsTheClocksLegalOnesIncluded() throws {
        // setup
        let knownAt = Fixtures.t0.addingTimeInterval(-2 * 3600)
        let intake = Self.webhookCase("ncii", field: "type", severity: "sev1", title: "Intimate image shared", knownAt: knownAt)
        // MUT
        let outcome = try Intake.planOpen(intake, context: Self.context()).outcome(number: 7)
        // validate
        #expect(outcome.incident.knownAt == knownAt)
        #expect(outcome.incident.openedAt == Fixtures.t0)
        #expect(outcome.incident.playbook == "ncii-removal")
        let ack = try #require(outcome.clocks.first { $0.name == "ack" })
        #expect(ack.startedAt == knownAt)
        let legal = try #require(outcome.clocks.first { $0.kind == .legal })
        #expect(legal.startedAt == knownAt)
        #expect(legal.dueAt == knownAt.addingTimeInterval(48 * 3600))
        #expect(outcome.events.first?.actor.identity == Identity(platform: "intake", id: "webhook"))
    }

    @Test func theAnnouncementSaysWhereTheCaseCameFrom() throws {
        let intake = IntakeCase(
            source: "zendesk", kind: "fraud", kindField: "category", severity: "sev2", title: "Card testing", refs: ["ZD-4521"],
            dedupKey: "zendesk:4521", origin: "Zendesk ticket 4521", originWithoutReference: "Zendesk")
        let outcome = try Intake.planOpen(intake, context: Self.context(source: "zendesk")).outcome(number: 7)
        let post = try #require(outcome.outbox.first { $0.channel == .incidents })
        #expect(post.message.plainText.contains("from Zendesk ticket 4521"))
        #expect(outcome.incident.refs == ["ZD-4521"])
    }

    @Test(
        arguments: [
            (webhookCase("nonsense", field: "type"), "type"),
            (webhookCase("nonsense", field: "category"), "category"),
            (webhookCase(nil), "type"),
            (webhookCase(severity: "sev9"), "severity"),
            (webhookCase(severity: nil), "severity"),
            (webhookCase(title: "   "), "title"),
            (webhookCase(title: String(repeating: "x", count: 201)), "title"),
            (webhookCase(knownAt: Fixtures.t0.addingTimeInterval(3600)), "known_at"),
            (webhookCase(knownAt: Fixtures.t0.addingTimeInterval(-400 * 86_400)), "known_at"),
            (webhookCase(refs: ["no spaces allowed"]), "refs"),
        ])
    func aBadFieldIsRefusedByName(intake: IntakeCase, field: String) {
        #expect(throws: IntakeError.self) { try Intake.planOpen(intake, context: Self.context()) }
        do {
            _ = try Intake.planOpen(intake, context: Self.context())
        } catch {
            #expect(error.field == field, "\(error.message)")
        }
    }

    @Test func aRestrictedTypeNeverPutsItsTitleInAChannel() throws {
        let title = "Secret victim name in the title"
        let intake = Self.webhookCase("csam", field: "type", severity: "sev1", title: title)
        let outcome = try Intake.planOpen(intake, context: Self.context()).outcome(number: 3)
        #expect(outcome.incident.restricted)
        #expect(!outcome.outbox.isEmpty)
        for item in outcome.outbox { #expect(!item.message.plainText.contains(title)) }
        // Joined later: the note keeps the title, and nothing reaches a channel.
        let joined = try Intake.join(intake, incident: outcome.incident, clocks: outcome.clocks, context: Self.context())
        #expect(joined.outbox.isEmpty)
        #expect(joined.events.map(\.kind) == [.noted])
    }

    @Test func aSecondReportJoinsWithANoteAndAResolvedIncidentIsReopened() throws {
        let intake = Self.webhookCase()
        let opened = try Intake.planOpen(intake, context: Self.context()).outcome(number: 1)
        let joined = try Intake.join(intake, incident: opened.incident, clocks: opened.clocks, context: Self.context())
        #expect(joined.events.map(\.kind) == [.noted])
        #expect(joined.events[0].payload["text"]?.hasPrefix("Another report from the intake webhook") == true)
        #expect(joined.expectedSequence == opened.incident.lastSequence)

        var resolved = opened.incident
        resolved.state = .resolved
        resolved.resolvedAt = Fixtures.t0
        let reopened = try Intake.join(intake, incident: resolved, clocks: [], context: Self.context())
        #expect(reopened.events.map(\.kind) == [.reopened, .noted])
        #expect(reopened.incident.state == .open)
    }

    @Test func anIntakeIdentityMayOpenNoteAndReopenAndNothingElse() throws {
        let parser = try Fixtures.parser()
        let context = Self.context()
        #expect(throws: UserError.self) { try Authorization.requireRole(try parser.parse("ack 1").spec, context: context) }
        #expect(throws: UserError.self) { try Authorization.requireRole(try parser.parse("resolve 1 done").spec, context: context) }
        try Authorization.requireRole(try parser.parse("note 1 more").spec, context: context)
        try Authorization.requireRole(try parser.parse("open sev1 fraud x").spec, context: context)
    }
}
