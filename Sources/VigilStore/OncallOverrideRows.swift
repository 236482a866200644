import Foundation
import VigilCore

/// The `oncall_overrides` table's columns and row codec, shared by the SQLite and PostgreSQL
/// stores (same schema, same `?` SQL).
enum OncallOverrideRows {
    static let columns = [
        "id", "schedules", "who_id", "who_name", "covers_id", "covers_name", "from_ms", "until_ms", "created_by_id", "created_by_name",
        "created_at_ms", "approved_by_id", "approved_by_name", "approved_at_ms", "cancelled_by_id", "cancelled_by_name", "cancelled_at_ms",
    ]

    static let select = "SELECT \(columns.joined(separator: ", ")) FROM oncall_overrides"

    static let byID = "\(select) WHERE id = ?"
    static let byRequest = "\(select) WHERE request_id = ?"
    /// Walks `oncall_overrides_live` (its WHERE repeated so the planner takes it).
    static let live = "\(select) WHERE cancelled_at_ms IS NULL AND until_ms > ? ORDER BY from_ms, id"

    /// Everything but `id`, which the database assigns.
    static let insert = """
        INSERT INTO oncall_overrides (schedules, who_id, who_name, covers_id, covers_name, from_ms, until_ms, created_by_id,
            created_by_name, created_at_ms, approved_by_id, approved_by_name, approved_at_ms, request_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static let approve = """
        UPDATE oncall_overrides SET approved_by_id = ?, approved_by_name = ?, approved_at_ms = ?
        WHERE id = ? AND approved_at_ms IS NULL AND cancelled_at_ms IS NULL
        """

    static let cancel = """
        UPDATE oncall_overrides SET cancelled_by_id = ?, cancelled_by_name = ?, cancelled_at_ms = ?
        WHERE id = ? AND cancelled_at_ms IS NULL
        """

    static func insertValues(_ new: NewOncallOverride) -> [SQLiteValue] {
        let approver = new.approved ? new.createdBy : nil
        return [
            .text(new.schedules.joined(separator: " ")), .text(new.who.storedID), .text(new.who.name), .text(new.covers.storedID),
            .text(new.covers.name), .integer(StoreTime.milliseconds(new.from)), .integer(StoreTime.milliseconds(new.until)),
            .text(new.createdBy.storedID), .text(new.createdBy.name), .integer(StoreTime.milliseconds(new.createdAt)),
            approver.map { .text($0.storedID) } ?? .null, approver.map { .text($0.name) } ?? .null,
            new.approved ? .integer(StoreTime.milliseconds(new.createdAt)) : .null, new.requestID.map { .text($0) } ?? .null,
        ]
    }

    /// The values of an approval or a cancellation: who, when, which.
    static func stampValues(id: Int64, by user: UserRef, at date: Date) -> [SQLiteValue] {
        [.text(user.storedID), .text(user.name), .integer(StoreTime.milliseconds(date)), .integer(id)]
    }

    static func decode<Row: StoreRow>(_ row: Row) throws -> StoredOncallOverride {
        var reader = RowReader(row, table: "oncall_overrides", columns: columns)
        let id = try reader.int64()
        reader.context = "override \(id)"
        return StoredOncallOverride(
            id: id, schedules: try reader.text().split(separator: " ").map(String.init), who: try reader.user(), covers: try reader.user(),
            from: try reader.date(), until: try reader.date(), createdBy: try reader.user(), createdAt: try reader.date(),
            approvedBy: try reader.optionalUser(), approvedAt: try reader.optionalDate(), cancelledBy: try reader.optionalUser(),
            cancelledAt: try reader.optionalDate())
    }
}
