import Foundation

/// `vigil holds --format csv`: the preservation ledger as RFC 4180 CSV, one entry a row, text
/// cells neutralised against spreadsheet formulas as the report's are.
public enum LedgerCSV {
    public static let header = [
        "incident", "category", "playbook", "step", "what", "where", "hash", "law", "period", "preserved_by", "preserved_at",
        "release_at", "held", "held_by", "held_at", "hold_reason",
    ]

    public static func document(_ entries: [PreservationEntry], policy: Policy) -> String {
        ReportCSV.line(header)
            + entries.map { entry in
                ReportCSV.line([
                    policy.displayID(entry.incident), ReportCSV.text(entry.category ?? ""), entry.playbook, entry.step,
                    ReportCSV.text(entry.what), ReportCSV.text(entry.location), ReportCSV.text(entry.hash ?? ""),
                    ReportCSV.text(entry.law ?? ""), entry.period, entry.preservedBy.storedID, ReportCSV.time(entry.preservedAt),
                    ReportCSV.time(entry.releaseAt), entry.hold == nil ? "no" : "yes", entry.hold?.by.storedID ?? "",
                    ReportCSV.time(entry.hold?.at), ReportCSV.text(entry.hold?.reason ?? ""),
                ])
            }.joined()
    }
}
