extension UserRef {
    /// Whether two entries *of the config file* (on-call `members`, `overrides`, escalation
    /// `notify`) name the same person: the same ID, or one written by name (`@ava`) whose name
    /// matches the other's (`<@U0AVA|ava>`). The file's author wrote both, so a name here is as
    /// trustworthy as the file; it is never used to compare a chat user, whose display name anyone
    /// can choose (that is ``isSamePerson(as:)``, by ID only).
    public func isSameRosterEntry(as other: UserRef) -> Bool {
        if isSamePerson(as: other) { return true }
        let nameOnly = (id == name && platform == nil) || (other.id == other.name && other.platform == nil)
        return nameOnly && name.lowercased() == other.name.lowercased()
    }
}
