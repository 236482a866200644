/// One person and their accounts on each platform, from config `people:`.
public struct Person: Sendable, Hashable {
    /// The name config uses for them (`ava`): a config handle, never matched against chat names.
    public var name: String
    public var accounts: [Identity]
    /// Where they can be paged outside chat (`ntfy`, `email`).
    public var contacts: Contacts

    public init(name: String, accounts: [Identity], contacts: Contacts = Contacts()) {
        self.name = name
        self.accounts = accounts
        self.contacts = contacts
    }
}

/// Links one person's accounts across platforms, so that two-person rules, owners, on-call and
/// roles compare people rather than accounts: Ava on Slack and Ava on Mattermost are one person,
/// and cannot approve her own step from her other account.
public struct PeopleDirectory: Sendable, Hashable {
    public var people: [Person]

    public init(_ people: [Person] = []) {
        self.people = people
    }

    /// The person `name` from config (exact, case-insensitive).
    public func person(named name: String) -> Person? {
        people.first { $0.name.lowercased() == name.lowercased() }
    }

    /// The one person whose `email` is `address` (case-insensitive), as an identity provider
    /// vouches for it; `nil` when nobody or more than one person has it.
    public func person(withEmail address: String) -> Person? {
        let wanted = address.lowercased()
        let found = people.filter { $0.contacts.email?.lowercased() == wanted }
        return found.count == 1 ? found[0] : nil
    }

    /// The person an account belongs to, if config lists it.
    public func person(of identity: Identity) -> Person? {
        people.first { $0.accounts.contains(identity) }
    }

    /// Every account of the person `user` is: all of a listed person's accounts, or just the
    /// user's own. Empty for a reference without a platform (a typed name, an old row): such a
    /// reference is nobody Vigil can vouch for.
    public func accounts(of user: UserRef) -> Set<Identity> {
        guard let identity = user.identity else { return [] }
        return Set(person(of: identity)?.accounts ?? [identity])
    }

    /// Whether two references are surely one person: both have identities, and they are the same
    /// account or two accounts of one listed person. For granting: a doubt answers `false`.
    public func isSamePerson(_ a: UserRef, _ b: UserRef) -> Bool {
        !accounts(of: a).isDisjoint(with: accounts(of: b))
    }

    /// Whether two references might be one person. For two-person rules, where a doubt must
    /// answer `true`: surely the same person, or the same ID when either platform is unknown
    /// (rows written before platforms were recorded), including any account of a listed person.
    public func mayBeSamePerson(_ a: UserRef, _ b: UserRef) -> Bool {
        if isSamePerson(a, b) { return true }
        guard a.platform == nil || b.platform == nil else { return false }
        let aIDs = Set(accounts(of: a).map(\.id) + [a.id])
        let bIDs = Set(accounts(of: b).map(\.id) + [b.id])
        return !aIDs.isDisjoint(with: bIDs)
    }
}
