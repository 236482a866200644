import Foundation
import Testing
import VigilCore
import VigilIntake

/// The generic body and Zendesk's ticket, decoded: shapes only (the policy's checks are the
/// core's), with a malformed body told apart from a wrong field.
@Suite struct IntakeDecoderTests {
    func decode(_ json: String) throws(IntakeBodyError) -> IntakeCase { try IntakeCaseDecoder.decode(Array(json.utf8)) }

    @Test func theGenericBodyDecodes() throws {
        let intake = try decode(
            #"{"type": "ncii", "severity": "sev1", "title": "Reported image", "known_at": "2026-12-03T09:30:00Z", "refs": ["ZD-1"], "dedup_key": "form-88", "extra": 1}"#
        )
        #expect(intake.kind == "ncii" && intake.kindField == "type" && intake.severity == "sev1" && intake.title == "Reported image")
        #expect(intake.knownAt == ISOTimestamp.date("2026-12-03T09:30:00Z"))
        #expect(intake.refs == ["ZD-1"])
        #expect(intake.dedupKey == "webhook:form-88")
        #expect(intake.actor.identity == Identity(platform: "intake", id: "webhook"))
        let byCategory = try decode(#"{"category": "fraud", "severity": "sev2", "title": "x"}"#)
        #expect(byCategory.kind == "fraud" && byCategory.kindField == "category" && byCategory.dedupKey == nil)
    }

    @Test(arguments: ["", "not json", "[1, 2]", "\"a string\"", "{\"title\": "])
    func aBodyThatIsNotAJSONObjectIsMalformed(_ json: String) {
        do {
            _ = try decode(json)
            Issue.record("decoded \(json)")
        } catch {
            guard case .malformed = error else { Issue.record("\(error)"); return }
        }
    }

    @Test(arguments: [
        (#"{"type": 1, "severity": "sev1", "title": "x"}"#, "type"),
        (#"{"type": "a", "category": "b", "severity": "sev1", "title": "x"}"#, "category"),
        (#"{"type": "fraud", "severity": "sev1"}"#, "title"),
        (#"{"type": "fraud", "severity": "sev1", "title": "x", "known_at": "yesterday"}"#, "known_at"),
        (#"{"type": "fraud", "severity": "sev1", "title": "x", "refs": "ZD-1"}"#, "refs"),
        (#"{"type": "fraud", "severity": "sev1", "title": "x", "dedup_key": ""}"#, "dedup_key"),
    ])
    func aWrongFieldIsNamed(_ json: String, field: String) {
        Self.expectRefusal(of: field) { () throws(IntakeBodyError) in try decode(json) }
    }

    /// Expects `decode` to refuse the field `field` (a 422), not to succeed or find the body malformed.
    static func expectRefusal(of field: String, _ decode: () throws(IntakeBodyError) -> IntakeCase) {
        do {
            let decoded = try decode()
            Issue.record("decoded \(decoded)")
        } catch {
            guard case let .field(error) = error else { Issue.record("\(error)"); return }
            #expect(error.field == field)
        }
    }

    static let map = IntakeMap(
        defaults: IntakeMap.Result(kind: "moderation", kindField: "category", severity: "sev3"),
        rules: [
            IntakeMap.Rule(tags: ["csam"], result: IntakeMap.Result(kind: "csam", severity: "sev1")),
            IntakeMap.Rule(
                priority: "urgent", group: "Fraud", result: IntakeMap.Result(kind: "fraud", kindField: "category", severity: "sev1")),
            IntakeMap.Rule(fields: ["360001234": "ncii"], result: IntakeMap.Result(kind: "ncii")),
        ])

    func ticket(_ json: String) throws(IntakeBodyError) -> IntakeCase { try ZendeskTicketDecoder.decode(Array(json.utf8), map: Self.map) }

    @Test func aTicketIsMappedToTypeAndSeverity() throws {
        let csam = try ticket(#"{"ticket": {"id": 4521, "subject": "Report", "tags": "abuse csam", "priority": "low"}}"#)
        #expect(csam.kind == "csam" && csam.severity == "sev1")
        #expect(csam.refs == ["ZD-4521"] && csam.dedupKey == "zendesk:4521" && csam.origin == "Zendesk ticket 4521")
        let fraud = try ticket(#"{"ticket": {"id": "88", "subject": "Chargebacks", "priority": "Urgent", "group": "fraud"}}"#)
        #expect(fraud.kind == "fraud" && fraud.kindField == "category" && fraud.severity == "sev1")
        // A rule without a severity takes the default's.
        let ncii = try ticket(
            #"{"detail": {"id": 9, "subject": "Image", "tags": ["x"], "custom_fields": [{"id": 360001234, "value": "NCII"}], "created_at": "2026-12-03T09:30:00Z"}}"#
        )
        #expect(ncii.kind == "ncii" && ncii.severity == "sev3")
        #expect(ncii.knownAt == ISOTimestamp.date("2026-12-03T09:30:00Z"))
        let other = try ticket(#"{"ticket": {"id": 1, "subject": "Something"}}"#)
        #expect(other.kind == "moderation" && other.kindField == "category" && other.severity == "sev3")
    }

    @Test func aLongSubjectIsCutToATitle() throws {
        let long = try ticket(#"{"ticket": {"id": 1, "subject": "\#(String(repeating: "é", count: 300))"}}"#)
        #expect(long.title.utf8.count <= 200)
        #expect(long.title.hasSuffix("…"))
    }

    @Test(arguments: [
        (#"{"nothing": 1}"#, "ticket"),
        (#"{"ticket": {"subject": "x"}}"#, "ticket.id"),
        (#"{"ticket": {"id": "1 OR 1=1", "subject": "x"}}"#, "ticket.id"),
        (#"{"ticket": {"id": 1}}"#, "ticket.subject"),
        (#"{"ticket": {"id": 1, "subject": "x", "created_at": "now"}}"#, "ticket.created_at"),
    ])
    func aTicketWithoutWhatVigilNeedsIsNamed(_ json: String, field: String) {
        Self.expectRefusal(of: field) { () throws(IntakeBodyError) in try ticket(json) }
    }
}
