import Foundation
import VigilCore
import VigilJSON

/// Decodes the generic intake body that `POST /intake/webhook` takes:
///
/// ```json
/// {"type": "ncii", "severity": "sev1", "title": "Reported intimate image",
///  "known_at": "2026-12-03T09:30:00Z", "refs": ["ZD-4521"], "dedup_key": "trust-form-88213"}
/// ```
///
/// `category` may stand where `type` does. Only the shapes are checked here; whether the type
/// and severity exist is ``Intake``'s to say. Unknown fields are ignored, so a sender may add
/// its own.
public enum IntakeCaseDecoder {
    /// The longest `dedup_key` kept, in bytes.
    public static let dedupKeyBytes = 200

    public static func decode(_ body: some Collection<UInt8>) throws(IntakeBodyError) -> IntakeCase {
        let root = try IntakeJSON.object(body)
        let type = try IntakeJSON.string(root, "type")
        let category = try IntakeJSON.string(root, "category")
        if type != nil, category != nil {
            throw .field("category", "Give a type or a category, not both.")
        }
        guard let title = try IntakeJSON.string(root, "title") else { throw .field("title", "The case needs a title.") }
        var knownAt: Date?
        if let text = try IntakeJSON.string(root, "known_at") {
            guard let date = ISOTimestamp.date(text) else {
                throw .field("known_at", "known_at must be an RFC 3339 time, like 2026-12-03T09:30:00Z.")
            }
            knownAt = date
        }
        var refs: [String] = []
        if let value = root["refs"], value != .null {
            guard let items = value.arrayValue else { throw .field("refs", "refs must be a list of strings.") }
            for item in items {
                guard let ref = item.stringValue else { throw .field("refs", "refs must be a list of strings.") }
                refs.append(ref)
            }
        }
        let dedupKey = try IntakeJSON.string(root, "dedup_key")
        if let dedupKey {
            guard !dedupKey.isEmpty, dedupKey.utf8.count <= dedupKeyBytes else {
                throw .field("dedup_key", "dedup_key must be 1 to \(dedupKeyBytes) bytes.")
            }
        }
        return IntakeCase(
            source: "webhook", kind: type ?? category, kindField: category != nil ? "category" : "type",
            severity: try IntakeJSON.string(root, "severity"), title: title, knownAt: knownAt, refs: refs,
            dedupKey: dedupKey.map { "webhook:\($0)" }, origin: "the intake webhook")
    }
}
