import VigilCore

extension ConfigCheck {
    /// Each `type:` in `intake.zendesk.map` that no installed playbook declares and no category
    /// is named: every ticket it matched would be refused (422), so `vigil check` says so first.
    static func unknownIntakeTypes(_ zendesk: ZendeskIntakeSettings?, playbooks: [Playbook], policy: Policy) -> [Diagnostic] {
        guard let zendesk else { return [] }
        let catalog = PlaybookCatalog(playbooks)
        return zendesk.kindLocations.compactMap { word, field, location in
            guard catalog.playbook(forType: word) == nil, policy.category(named: word) == nil else { return nil }
            let types = catalog.typeWords.isEmpty ? "no playbook declares a type" : "types: \(catalog.typeWords.joined(separator: ", "))"
            return Diagnostic(
                location: location,
                message:
                    "\(field) \"\(word)\" is neither a playbook's type nor a category (\(types); categories: \(policy.categories.map(\.name).joined(separator: ", ")))"
            )
        }
    }
}
