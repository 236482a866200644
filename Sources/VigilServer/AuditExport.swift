import Foundation
import VigilCore
import VigilJSON

/// The JSON export of one incident's whole timeline (`vigil audit export`), for counsel and
/// for anyone checking the record outside Vigil.
///
/// It is the full record, restricted incidents included: the tool runs where the database is,
/// for people entitled to all of it. Every event carries what its hash covers (see
/// ``EventChain``) and both hashes, so the chain can be re-computed from the export alone. The
/// shape is stable under `schema`: keys are only ever added. Times are RFC 3339 in UTC with
/// milliseconds; accounts are their stored, platform-qualified IDs (`slack:U0AVA`) with names.
public enum AuditExport {
    public static let schema = "vigil.audit/1"

    /// The formats `vigil audit export` writes.
    public enum Format: String, Sendable, CaseIterable {
        case json
    }

    /// The document for `record`, generated at `generatedAt`, with the chain re-computed.
    public static func document(_ record: IncidentRecord, policy: Policy, catalog: PlaybookCatalog, generatedAt: Date) -> JSONValue {
        let incident = record.incident
        let broken = EventChain.firstBreak(in: record.events, incident: incident)
        return [
            "schema": .string(schema),
            "generated_at": time(generatedAt),
            "id": .string(policy.displayID(incident.number)),
            "title": .string(incident.title),
            "restricted": .bool(incident.restricted),
            "severity": .string(incident.severity),
            "category": .string(incident.category),
            // The primary playbook's type word, as the installed playbooks name it.
            "type": incident.playbook.flatMap { catalog.playbook(id: $0)?.type }.map(JSONValue.string) ?? .null,
            "playbooks": .array(incident.playbooks.map { .string($0.id) }),
            "state": .string(incident.state.rawValue),
            "level": .int(Int64(incident.level)),
            "platform": .string(incident.platform),
            "channel": .string(incident.channel),
            "reporter": account(incident.reporter),
            "owner": optional(incident.owner, account),
            "refs": .array(incident.refs.map(JSONValue.string)),
            "known_at": time(incident.knownAt),
            "opened_at": time(incident.openedAt),
            "acknowledged_at": optional(incident.acknowledgedAt, time),
            "acknowledged_by": optional(incident.acknowledgedBy, account),
            "reopened_at": optional(incident.reopenedAt, time),
            "resolved_at": optional(incident.resolvedAt, time),
            "resolved_by": optional(incident.resolvedBy, account),
            "resolution": optional(incident.resolution, JSONValue.string),
            "last_sequence": .int(Int64(incident.lastSequence)),
            "last_hash": .string(incident.lastHash),
            "chain": chain(broken),
            "events": .array(record.events.map(event)),
        ]
    }

    /// `{"verified": true, "break": null}`, or the break with its reason as a stable code and in words.
    static func chain(_ broken: ChainBreak?) -> JSONValue {
        guard let broken else { return ["verified": .bool(true), "break": .null] }
        return [
            "verified": .bool(false),
            "break": [
                "sequence": .int(Int64(broken.sequence)),
                "reason": .string(broken.reason.code),
                "explanation": .string(broken.explanation),
                "expected_hash": .string(broken.expectedHash),
                "found_hash": .string(broken.foundHash),
            ],
        ]
    }

    static func event(_ event: IncidentEvent) -> JSONValue {
        [
            "sequence": .int(Int64(event.sequence)),
            "kind": .string(event.kind.rawValue),
            "actor": account(event.actor),
            "at": time(event.at),
            // Sorted, as the hash takes them.
            "payload": .object(event.payload.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }),
            "previous_hash": .string(event.previousHash),
            "hash": .string(event.hash),
        ]
    }

    static func account(_ user: UserRef) -> JSONValue {
        ["id": .string(user.storedID), "name": .string(user.name)]
    }

    static func optional<T>(_ value: T?, _ encode: (T) -> JSONValue) -> JSONValue {
        value.map(encode) ?? .null
    }

    static func time(_ date: Date) -> JSONValue {
        .string(ISOTimestamp.string(date))
    }
}
