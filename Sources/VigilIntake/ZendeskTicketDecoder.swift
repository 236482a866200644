import Foundation
import VigilCore
import VigilJSON

/// Decodes the body of a Zendesk webhook into an ``IntakeCase``, through the config's
/// ``IntakeMap``.
///
/// Zendesk's trigger webhooks send a JSON body the admin writes with placeholders; Vigil reads
/// a `ticket` object (Zendesk's event webhooks put the same in `detail`, which is read too):
///
/// ```json
/// {"ticket": {"id": "{{ticket.id}}", "subject": "{{ticket.title}}", "priority": "{{ticket.priority}}",
///   "group": "{{ticket.group.name}}", "tags": "{{ticket.tags}}", "created_at": "{{ticket.created_at_with_timestamp}}",
///   "custom_fields": {"360001234": "{{ticket.ticket_field_360001234}}"}}}
/// ```
///
/// `tags` may be Zendesk's space-separated string or a list; `custom_fields` an object of id to
/// value or Zendesk's list of `{id, value}`. The ticket id becomes the ref `ZD-<id>` and the dedup
/// key; the subject the title (cut to 200 characters, since a ticket cannot be retitled to fit);
/// `created_at` the time the team learned of it.
public enum ZendeskTicketDecoder {
    public static func decode(_ body: some Collection<UInt8>, map: IntakeMap) throws(IntakeBodyError) -> IntakeCase {
        let root = try IntakeJSON.object(body)
        guard let ticket = root["ticket"] ?? root["detail"], ticket.objectMembers != nil else {
            throw .field("ticket", "The body needs a ticket object (see the README for the webhook's JSON).")
        }
        guard let id = IntakeJSON.scalarText(ticket["id"])?.trimmingCharacters(in: .whitespaces), !id.isEmpty,
            id.utf8.count <= 32, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else {
            throw .field("ticket.id", "ticket.id must be the ticket's number.")
        }
        // `title` is what Zendesk's event webhooks call the subject.
        let title = try IntakeJSON.string(ticket, "title")
        let subject = try IntakeJSON.string(ticket, "subject") ?? title ?? ""
        guard !subject.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .field("ticket.subject", "The ticket has no subject to title the incident with.")
        }
        var knownAt: Date?
        if let text = try IntakeJSON.string(ticket, "created_at"), !text.isEmpty {
            guard let date = ISOTimestamp.date(text) else {
                throw .field("ticket.created_at", "ticket.created_at must be an RFC 3339 time, like 2026-12-03T09:30:00Z.")
            }
            knownAt = date
        }
        let groupID = IntakeJSON.scalarText(ticket["group_id"])
        let fields = IntakeTicketFields(
            tags: tags(ticket["tags"]), priority: try IntakeJSON.string(ticket, "priority"),
            group: try IntakeJSON.string(ticket, "group") ?? groupID,
            fields: customFields(ticket["custom_fields"]))
        let result = map.classify(fields)
        var cut = TextRules.oneLine(subject)
        if cut.utf8.count > TextRules.titleBytes {
            // Cut on a character boundary, leaving room for the ellipsis's three bytes.
            while cut.utf8.count > TextRules.titleBytes - 3 { cut.removeLast() }
            cut += "…"
        }
        return IntakeCase(
            source: "zendesk", kind: result.kind, kindField: result.kindField, severity: result.severity,
            title: cut, knownAt: knownAt, knownAtField: "ticket.created_at", refs: ["ZD-\(id)"],
            dedupKey: "zendesk:\(id)", origin: "Zendesk ticket \(id)", originWithoutReference: "Zendesk")
    }

    /// `"csam urgent"` or `["csam", "urgent"]`.
    static func tags(_ value: JSONValue?) -> [String] {
        if let text = value?.stringValue { return text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) }
        return value?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// `{"360001234": "ncii"}` or `[{"id": 360001234, "value": "ncii"}]`.
    static func customFields(_ value: JSONValue?) -> [String: String] {
        var fields: [String: String] = [:]
        if let members = value?.objectMembers {
            for (id, field) in members { if let text = IntakeJSON.scalarText(field) { fields[id] = text } }
        } else if let items = value?.arrayValue {
            for item in items {
                if let id = IntakeJSON.scalarText(item["id"]), let text = IntakeJSON.scalarText(item["value"]) { fields[id] = text }
            }
        }
        return fields
    }
}
