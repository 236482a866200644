import VigilCore
import Yams

/// `people:` and `roles:`. An identity is `platform:user-id`; a display name never is one, so a
/// role entry that is only a name (`@dee`, or `dee` when `people:` does not list dee) is refused.
///
/// ```yaml
/// people:
///   - {name: ava, slack: U0AVA, mattermost: 8x7kq3…}
/// roles:
///   restricted: [ava, "slack:U0DEE"]
///   lead: ["slack:U0LEAD"]
/// ```
extension ConfigurationDecoder {
    /// The keys of a `people:` entry besides `name`: one per platform.
    static let personKeys = ["name"] + Identity.platforms + ["ntfy", "email"]

    /// `people: [{name: ava, slack: U0AVA, …}]`. Reports entries without an account, IDs with
    /// spaces, and an account listed for two people.
    func people(_ node: Node) -> PeopleDirectory {
        var people: [Person] = []
        var owners: [Identity: String] = [:]
        for entry in namedEntries(node, at: "people", kind: "person", known: Self.personKeys) {
            let path = "people[\(entry.index)]"
            var accounts: [Identity] = []
            let given = Identity.platforms.filter { entry.fields[$0] != nil }
            for platform in given {
                guard let value = entry.fields[platform], let id = reader.string(value, at: "\(path).\(platform)") else { continue }
                let trimmed = id.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty, !trimmed.contains(where: { $0.isWhitespace }), !trimmed.hasPrefix("@"), !trimmed.hasPrefix("<")
                else {
                    reader.error("\(path).\(platform) must be the \(platform) user ID (e.g. U0AVA), found \"\(id)\"", at: value)
                    continue
                }
                let identity = Identity(platform: platform, id: trimmed)
                if let other = owners[identity] {
                    reader.error("\(identity) is listed for both \(other) and \(entry.name); an account belongs to one person", at: value)
                    continue
                }
                owners[identity] = entry.name
                accounts.append(identity)
            }
            let contacts = contacts(entry.fields, at: path)
            if given.isEmpty, contacts == Contacts() {
                reader.error(
                    "\(path) (\(entry.name)) needs at least one account (\(Identity.platforms.joined(separator: ", "))) or a contact (ntfy, email)",
                    at: entry.node)
            }
            people.append(Person(name: entry.name, accounts: accounts, contacts: contacts))
        }
        return PeopleDirectory(people)
    }

    /// A person's `ntfy` topic and `email` address, where pages reach them outside chat.
    private func contacts(_ fields: Fields, at path: String) -> Contacts {
        var contacts = Contacts()
        if let node = fields["ntfy"], let topic = reader.string(node, at: "\(path).ntfy")?.trimmingCharacters(in: .whitespaces) {
            // ntfy's own rule for topic names; anything else would be refused at 3 a.m.
            if (1...64).contains(topic.count), topic.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                contacts.ntfy = topic
            } else {
                reader.error("\(path).ntfy must be an ntfy topic: 1 to 64 letters, digits, - or _", at: node)
            }
        }
        if let node = fields["email"], let address = reader.string(node, at: "\(path).email")?.trimmingCharacters(in: .whitespaces) {
            if Self.isEmailAddress(address) {
                contacts.email = address
            } else {
                reader.error("\(path).email must be an email address, like legal@example.com", at: node)
            }
        }
        return contacts
    }

    /// The roles `roles:` may define.
    static let roleKeys = Role.assignable.map(\.rawValue)

    /// The role names defined under `roles:`.
    func roleNames(_ node: Node?) -> [String] {
        guard case let .mapping(mapping) = node else { return [] }
        return mapping.keys.compactMap { $0.scalar?.string }.filter(Self.roleKeys.contains)
    }

    /// `roles: {restricted: [ava, "slack:U0DEE"], lead: […], legal: […], responder: […]}`.
    func roles(_ node: Node, people: PeopleDirectory) -> RoleAssignments {
        guard let fields = reader.fields(of: node, at: "roles", known: Self.roleKeys, noun: "role") else { return RoleAssignments() }
        var members: [Role: [Identity]] = [:]
        for role in Role.assignable {
            guard let entry = fields.entries[role.rawValue] else { continue }
            let path = "roles.\(role.rawValue)"
            // `responder: []` means nobody; an empty value (`responder:`) is the same as leaving it out.
            guard !YAMLReader.isNull(entry.value), let items = reader.strings(entry.value, at: path) else { continue }
            var identities: [Identity] = []
            for (index, item) in items.enumerated() {
                for identity in roleEntry(item.text, at: item.node, in: "\(path)[\(index)]", people: people)
                where !identities.contains(identity) {
                    identities.append(identity)
                }
            }
            members[role] = identities
        }
        return RoleAssignments(members)
    }

    /// One role entry: a person from `people:` (all of their accounts), `platform:user-id`, or
    /// the older Slack mention `<@U0AVA>` (read as `slack:U0AVA`). Anything that is only a name is
    /// refused: display names can be chosen by anyone.
    func roleEntry(_ text: String, at node: Node, in path: String, people: PeopleDirectory) -> [Identity] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let person = people.person(named: trimmed) { return person.accounts }
        if let identity = Identity(parsing: trimmed) { return [identity] }
        if trimmed.hasPrefix("<@"), let mention = UserMention.parse(trimmed), mention.id != mention.name || !trimmed.contains("|") {
            // Slack's escaped form carries the user ID: the legacy way of writing a Slack user.
            reader.warning("\(path): \"\(text)\" is read as \"slack:\(mention.id)\"; write it that way (or a name from people:)", at: node)
            return [Identity(platform: "slack", id: mention.id)]
        }
        if let colon = trimmed.firstIndex(of: ":"), !trimmed.hasPrefix("@") {
            let platform = String(trimmed[..<colon])
            reader.error(
                "\(path): unknown platform \"\(platform)\" in \"\(text)\" (write \(Identity.platforms.map { "\($0):ID" }.joined(separator: ", ")))\(YAMLReader.suggestion(for: platform, in: Identity.platforms))",
                at: node)
            return []
        }
        let name = trimmed.hasPrefix("@") ? String(trimmed.dropFirst()) : trimmed
        reader.error(
            "\(path): \"\(text)\" is only a name, and a display name is not an identity (anyone can choose one). "
                + "Write the platform and user ID, e.g. \"slack:U0\(name.uppercased().filter { $0.isLetter || $0.isNumber })\", "
                + "or list \(name) under people: with their accounts and write \(name)",
            at: node)
        return []
    }
}
