import Foundation
import VigilCore
import Yams

/// `preservation: {remind_before: 14d}`: how long before a preservation ledger entry's release
/// date legal is reminded that it may be released, or should be held.
extension ConfigurationDecoder {
    func preservationReminder(_ node: Node?) -> Duration {
        guard let node, let fields = reader.fields(of: node, at: "preservation", known: ["remind_before"]),
            let value = fields["remind_before"], let duration = reader.duration(value, at: "preservation.remind_before")
        else { return Policy.defaultPreservationReminder }
        guard duration > .zero else {
            reader.error("preservation.remind_before must be longer than 0, like 14d", at: value)
            return Policy.defaultPreservationReminder
        }
        return duration
    }
}
