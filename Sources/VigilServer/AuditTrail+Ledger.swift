import Foundation
import VigilCore
import VigilJSON

/// `vigil holds`: the evidence-preservation ledger from the database, as CSV or JSON, for legal
/// and for whoever asks what is kept, where, why and until when. Read from the events that make
/// it, so it is exactly what `vigil audit verify` checks.
extension AuditTrail {
    /// Every ledger entry, earliest release first, each with its incident's hold as it stands.
    public func ledger() async throws -> [PreservationEntry] {
        PreservationLedger.entries(from: try await store.ledgerEvents())
    }

    /// The ledger as one JSON document (schema `vigil.ledger/1`), generated at `now`.
    public func ledgerJSON(_ entries: [PreservationEntry], now: Date) -> String {
        let document: JSONValue = [
            "schema": "vigil.ledger/1", "generated_at": AuditExport.time(now),
            "entries": .array(
                entries.map { entry in
                    [
                        "incident": .string(policy.displayID(entry.incident)),
                        "category": AuditExport.optional(entry.category, JSONValue.string), "playbook": .string(entry.playbook),
                        "step": .string(entry.step), "what": .string(entry.what), "where": .string(entry.location),
                        "hash": AuditExport.optional(entry.hash, JSONValue.string),
                        "law": AuditExport.optional(entry.law, JSONValue.string),
                        "period": .string(entry.period), "preserved_by": AuditExport.account(entry.preservedBy),
                        "preserved_at": AuditExport.time(entry.preservedAt), "release_at": AuditExport.time(entry.releaseAt),
                        "releasable": .bool(entry.isReleasable(at: now)),
                        "hold": AuditExport.optional(entry.hold) { hold in
                            ["by": AuditExport.account(hold.by), "at": AuditExport.time(hold.at), "reason": .string(hold.reason)]
                        },
                    ]
                }),
        ]
        return document.serializedString() + "\n"
    }

    /// The ledger as CSV (``LedgerCSV``).
    public func ledgerCSV(_ entries: [PreservationEntry]) -> String {
        LedgerCSV.document(entries, policy: policy)
    }
}
