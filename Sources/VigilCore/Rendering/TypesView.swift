/// `/incident types` and the list of types under `help open`: every type grouped by category,
/// with its other names, its playbook's title, its legal clock and whether it is restricted.
public enum TypesView {
    public static func reply(category: String?, catalog: PlaybookCatalog, policy: Policy) -> Reply {
        let name = category.map { catalog.playbook(forType: $0)?.category ?? $0 }
        var lines: [[Span]] = [[.bold("Incident types"), .text(" — give one in place of the category: "), .code("/incident open sev1 <type> <title…>")]]
        lines += self.lines(catalog: catalog, policy: policy, only: name)
        return Reply(.ephemeral, Message(lines: lines))
    }

    /// One heading per category, one line per type.
    public static func lines(catalog: PlaybookCatalog, policy: Policy, only: String? = nil) -> [[Span]] {
        guard !catalog.playbooks.isEmpty else { return [[.text("No playbooks are installed, so there are no types; open with a category.")]] }
        var lines: [[Span]] = []
        for category in policy.categories where only == nil || category.name == only {
            let playbooks = catalog.playbooks.filter { $0.category == category.name }
            var heading: [Span] = [.bold(category.name)]
            if category.restricted { heading.append(.text(" (restricted)")) }
            switch playbooks.count {
            case 0: heading.append(.text(" — no playbook"))
            case 1: heading.append(.text(" — opening with the category attaches its one playbook"))
            default: heading.append(.text(" — opening with the category alone lets you choose among \(playbooks.count)"))
            }
            lines.append(heading)
            for playbook in playbooks { lines.append(line(playbook, policy: policy)) }
        }
        return lines
    }

    /// `• tco (also terrorist-content) — EU terrorist-content removal order · legal 1 h (Reg. …) · restricted`.
    static func line(_ playbook: Playbook, policy: Policy) -> [Span] {
        var line: [Span] = [.text("• "), .code(playbook.type)]
        if !playbook.aliases.isEmpty { line.append(.text(" (also \(playbook.aliases.joined(separator: ", ")))")) }
        line.append(.text(" — \(playbook.title)"))
        if let legal = playbook.legal {
            line.append(.text(" · legal clock \(DurationText.format(legal.due)) from \(legal.from == .known ? "when known" : "opening") (\(legal.citation))"))
        }
        if playbook.restricted { line.append(.text(" · restricted")) }
        return line
    }
}
