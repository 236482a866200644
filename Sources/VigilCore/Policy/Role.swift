/// Who may run a command, as a command spec's `role:` names it, and the roles config assigns.
public enum Role: String, Sendable, Hashable, CaseIterable, Comparable {
    /// No role needed (`help`).
    case anyone
    /// Works incidents. When config leaves `responder` out, everyone who can reach Vigil is one.
    case responder
    /// Leads: may waive a legal clock (with a recorded reason).
    case lead
    /// Counsel: may waive a legal clock (with a recorded reason).
    case legal
    /// Cleared for restricted incidents (child safety): the only people who may read or act on them.
    case restricted

    /// The roles config may assign under `roles:`.
    public static let assignable: [Role] = [.responder, .lead, .legal, .restricted]

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Config `roles:`: each role's members, as identities (people named in config are expanded to
/// their accounts when config is read). Membership is decided per person through the
/// ``PeopleDirectory``: any account of a person in a role counts for all of their accounts.
public struct RoleAssignments: Sendable, Hashable {
    /// Members by role; a role absent here has no members, except `responder`, which then
    /// means everyone.
    public var members: [Role: [Identity]]

    public init(_ members: [Role: [Identity]] = [:]) {
        self.members = members
    }

    /// Whether `user` holds `role`. `lead`, `legal` and `restricted` members are responders too.
    /// A reference without a platform (a typed name) holds nothing but `anyone` and an
    /// unconfigured `responder`.
    public func has(_ user: UserRef, _ role: Role, people: PeopleDirectory) -> Bool {
        switch role {
        case .anyone:
            return true
        case .responder:
            guard members[.responder] != nil else { return true }
            return Role.assignable.contains { $0 != .responder && isMember(user, of: $0, people: people) }
                || isMember(user, of: .responder, people: people)
        case .lead, .legal, .restricted:
            return isMember(user, of: role, people: people)
        }
    }

    /// Whether `user` holds any of `roles` (an empty list: anyone).
    public func hasAny(_ user: UserRef, _ roles: [Role], people: PeopleDirectory) -> Bool {
        roles.isEmpty || roles.contains { has(user, $0, people: people) }
    }

    private func isMember(_ user: UserRef, of role: Role, people: PeopleDirectory) -> Bool {
        guard let listed = members[role], !listed.isEmpty else { return false }
        return !people.accounts(of: user).isDisjoint(with: listed)
    }
}
