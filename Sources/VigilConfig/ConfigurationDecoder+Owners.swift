import VigilCore
import Yams

/// `owners:`: who a playbook step's `owner` stands for, so that a step can mention the people
/// who must do it rather than print a role name.
///
/// ```yaml
/// owners:
///   legal: [role:legal]                  # everyone holding a role from roles:
///   support: [schedule:support-primary]  # whoever is on call on that schedule
///   lead: [ava, "slack:U0LEAD"]          # a person from people:, or a platform account
/// ```
extension ConfigurationDecoder {
    /// `owners: {owner: [target, …]}`. Keys are the owners playbook steps may name; each target
    /// is `schedule:<oncall name>`, `role:<role>`, a name from `people:` or `platform:user-id`.
    /// Wrong entries are reported and left out.
    func owners(
        _ node: Node, ownerNames: [String], schedules: [String], people: PeopleDirectory, roles: RoleAssignments
    ) -> [String: [OwnerTarget]] {
        guard let fields = reader.fields(of: node, at: "owners", known: ownerNames, noun: "owner") else { return [:] }
        let context = OwnerContext(schedules: schedules, people: people, roles: roles)
        var owners: [String: [OwnerTarget]] = [:]
        for name in ownerNames {
            guard let entry = fields.entries[name] else { continue }
            let path = "owners.\(name)"
            guard let value = fields[name] else {
                reader.error("\(path) is empty (list schedules, roles or people, or remove it)", at: entry.key)
                continue
            }
            let items: [(text: String, node: Node)]
            if case .sequence = value {
                items = reader.strings(value, at: path) ?? []
                if value.sequence?.isEmpty == true {
                    reader.error("\(path) must list at least one schedule, role or person (or remove it)", at: value)
                }
            } else {
                items = reader.string(value, at: path).map { [($0, value)] } ?? []
            }
            var targets: [OwnerTarget] = []
            for (index, item) in items.enumerated() {
                guard let target = ownerTarget(item.text, at: item.node, in: "\(path)[\(index)]", context: context) else { continue }
                if targets.contains(where: { Self.isSameTarget($0, target, people: people) }) {
                    reader.error("\"\(item.text)\" is listed twice in \(path)", at: item.node)
                    continue
                }
                targets.append(target)
            }
            if !targets.isEmpty { owners[name] = targets }
        }
        return owners
    }

    /// What owner entries are resolved against.
    struct OwnerContext {
        /// The names of the `oncall:` schedules.
        var schedules: [String]
        var people: PeopleDirectory
        var roles: RoleAssignments
    }

    /// One entry: `schedule:NAME`, `role:ROLE`, a person or an account; `nil` when wrong (reported).
    private func ownerTarget(_ text: String, at node: Node, in path: String, context: OwnerContext) -> OwnerTarget? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let name = Self.value(of: "schedule", in: trimmed) {
            guard context.schedules.contains(name) else {
                let hint = context.schedules.isEmpty ? " (oncall: defines no schedules)" : YAMLReader.hint(for: name, in: context.schedules)
                reader.error("\(path): unknown on-call schedule \"\(name)\" in \"\(text)\"\(hint)", at: node)
                return nil
            }
            return .schedule(name)
        }
        if let name = Self.value(of: "role", in: trimmed) {
            guard let role = Role.assignable.first(where: { $0.rawValue == name.lowercased() }) else {
                reader.error("\(path): unknown role \"\(name)\" in \"\(text)\"\(YAMLReader.hint(for: name, in: Self.roleKeys))", at: node)
                return nil
            }
            if context.roles.members[role]?.isEmpty ?? true {
                reader.warning("\(path): roles: gives \(role.rawValue) no members, so \"\(text)\" mentions nobody", at: node)
            }
            return .role(role)
        }
        if let person = context.people.person(named: trimmed) {
            // A person without accounts was reported under people:.
            guard let account = person.accounts.first else { return nil }
            // One account stands for the person: the directory links the others to it.
            return .user(UserRef(id: account.id, name: person.name, platform: account.platform))
        }
        if !trimmed.contains(":"), !trimmed.hasPrefix("<") {
            let names = context.people.people.map(\.name)
            reader.error(
                "\(path): \"\(text)\" is not a person from people:\(YAMLReader.suggestion(for: trimmed, in: names)); write a name "
                    + "from people:, platform:user-id (e.g. slack:U0LEAD), role:ROLE or schedule:NAME", at: node)
            return nil
        }
        // Accounts are written as under roles:, with the same checks and the same legacy form.
        guard let identity = roleEntry(text, at: node, in: path, people: context.people).first else { return nil }
        return .user(UserRef(id: identity.id, name: identity.id, platform: identity.platform))
    }

    /// `support-primary` for `schedule:support-primary` (the prefix in any case); `nil` without it.
    private static func value(of prefix: String, in text: String) -> String? {
        guard text.lowercased().hasPrefix(prefix + ":") else { return nil }
        return String(text.dropFirst(prefix.count + 1)).trimmingCharacters(in: .whitespaces)
    }

    /// Two entries for one person (one account, or two accounts `people:` links) are one target.
    private static func isSameTarget(_ a: OwnerTarget, _ b: OwnerTarget, people: PeopleDirectory) -> Bool {
        if case let .user(first) = a, case let .user(second) = b { return people.isSamePerson(first, second) }
        return a == b
    }
}
