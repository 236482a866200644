/// Who a step owner (`legal`, `support`, …) stands for, from config `owners:`: the current person
/// of an on-call schedule, everyone holding a role, or one person.
public enum OwnerTarget: Sendable, Hashable {
    /// `schedule:trust-safety`: whoever is on call on it when the step opens or alerts.
    case schedule(String)
    /// `role:legal`: every account config gives that role.
    case role(Role)
    /// A person from `people:` (all their accounts) or one platform account (`slack:U0AVA`).
    case user(UserRef)
}
