/// The installed playbooks, in file-name order: the first whose `applies_to` matches an
/// incident is attached by default.
public struct PlaybookCatalog: Sendable {
    public let playbooks: [Playbook]

    public init(_ playbooks: [Playbook] = []) {
        self.playbooks = playbooks
    }

    public func playbook(id: String) -> Playbook? {
        playbooks.first { $0.id == id }
    }

    /// The default playbook for a new incident of this category and severity.
    public func defaultPlaybook(category: String, severity: String) -> Playbook? {
        playbooks.first { $0.appliesTo.matches(category: category, severity: severity) }
    }

    public var ids: [String] { playbooks.map(\.id) }

    /// The playbooks that may be attached to an incident of `category`, in file-name order.
    public func applicable(toCategory category: String) -> [Playbook] {
        playbooks.filter { $0.applies(toCategory: category) }
    }
}
