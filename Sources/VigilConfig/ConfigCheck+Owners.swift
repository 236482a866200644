import VigilCore

/// The `vigil check` warning for a step owner that config does not say who is: such a step is
/// posted with the owner's name only, and mentions nobody.
extension ConfigCheck {
    /// One warning per owner that steps name and nothing maps, at `reportedAt` (the `owners:`
    /// key, or the config file), naming the first step with that owner.
    ///
    /// Covered without an `owners:` entry: `responder` and `oncall` (the on-call people of the
    /// incident's level), and a role that `roles:` gives members (`lead`, `legal`).
    static func unmappedOwners(in playbooks: [Playbook], policy: Policy, reportedAt location: SourceLocation) -> [Diagnostic] {
        var warned: Set<String> = []
        var warnings: [Diagnostic] = []
        for playbook in playbooks {
            for step in playbook.steps where !step.owner.isEmpty && !warned.contains(step.owner) && !isCovered(step.owner, by: policy) {
                warned.insert(step.owner)
                let place = step.source.map { " (\($0))" } ?? ""
                warnings.append(Diagnostic(
                    location: location, message: "owner \"\(step.owner)\"\(place) is not in owners:, so its steps mention nobody"))
            }
        }
        return warnings
    }

    /// The owners someone stands for even when `owners:` leaves them out.
    static let implicitOwners = ["responder", "oncall"]

    private static func isCovered(_ owner: String, by policy: Policy) -> Bool {
        if policy.owners[owner] != nil || implicitOwners.contains(owner) { return true }
        guard let role = Role.assignable.first(where: { $0.rawValue == owner }) else { return false }
        return !(policy.roles.members[role]?.isEmpty ?? true)
    }
}
