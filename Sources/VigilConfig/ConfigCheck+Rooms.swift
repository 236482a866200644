import VigilCore

/// The `vigil check` warning for an `incident_channels:` rule that names a type no playbook
/// declares: types come from playbooks, read after the config, so the rule would never hold.
extension ConfigCheck {
    static func unknownRoomTypes(in policy: Policy, playbooks: [Playbook], reportedAt location: SourceLocation) -> [Diagnostic] {
        let known = Set(playbooks.flatMap(\.typeWords).map { $0.lowercased() })
        var warnings: [Diagnostic] = []
        for (index, rule) in policy.rooms.rules.enumerated() {
            for type in rule.when.types where !known.contains(type) {
                warnings.append(
                    Diagnostic(
                        location: location,
                        message:
                            "incident_channels[\(index)].when.type names \"\(type)\", which no playbook declares, so the rule never holds"))
            }
        }
        return warnings
    }
}
