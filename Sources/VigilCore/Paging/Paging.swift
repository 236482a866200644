/// Composes direct pages: who an alert concerns is reached on every medium config makes possible
/// for them, and PagerDuty follows the incident's level. Pure, like the rest of the core: it
/// writes outbox rows, and the delivery service sends them.
public enum Paging {
    /// How loud a page is.
    public enum Urgency: Sendable {
        /// A breach, an escalation, a legal deadline: chat, push (ntfy) and email.
        case urgent
        /// A warning or a step given to someone: chat and email, no push that wakes anyone.
        case notice
    }

    /// Pages for each of `people` about `incident`: a direct message on each of their accounts on a
    /// platform Vigil can message, their ntfy topic (urgent pages only) and their email. A person
    /// listed twice, or through two linked accounts, is paged once on each medium.
    public static func pages(
        to people: [UserRef], about incident: Incident, message: Message, priority: OutboxPriority, urgency: Urgency,
        endsWithAck: Bool, policy: Policy
    ) -> [OutboxItem] {
        let paging = policy.paging
        guard !paging.isEmpty else { return [] }
        var targets: [PageTarget] = []
        func add(_ target: PageTarget) {
            if !targets.contains(target) { targets.append(target) }
        }
        for user in people {
            let accounts = policy.people.accounts(of: user).sorted()
            for identity in accounts where paging.chatPlatforms.contains(identity.platform) { add(.chat(identity)) }
            let contacts = accounts.lazy.compactMap { policy.people.person(of: $0)?.contacts }.first ?? Contacts()
            if paging.ntfy, urgency == .urgent, let topic = contacts.ntfy { add(.ntfy(topic: topic)) }
            if paging.email, let address = contacts.email { add(.email(address: address)) }
        }
        return targets.map {
            OutboxItem(page: Page($0, endsWithAck: endsWithAck), incident: incident.number, message: message, priority: priority)
        }
    }

    /// A PagerDuty event for the incident, to the routing keys of `levels` (1-based escalation
    /// levels) that have one. `dedup_key` is the incident's ID, so a trigger at the next level
    /// joins the same PagerDuty incident on that level's service, and an acknowledge or resolve
    /// reaches each service a trigger may have gone to.
    public static func pagerDuty(
        _ action: PagerDutyAction, levels: ClosedRange<Int>, about incident: Incident, message: Message, policy: Policy,
        endsWithAck: Bool = false
    ) -> [OutboxItem] {
        let keyed = policy.paging.pagerDutyLevels
        guard !keyed.isEmpty else { return [] }
        var names: [String] = []
        for level in levels where policy.escalationLevels.indices.contains(level - 1) {
            let name = policy.levelName(level)
            if keyed.contains(name), !names.contains(name) { names.append(name) }
        }
        // One priority for every PagerDuty event, so they go in the order they were written: an
        // acknowledge overtaking its trigger would be ignored, and the trigger would then page.
        // A trigger about an acknowledgement still waiting when the incident is acknowledged is
        // dropped unsent.
        return names.map {
            OutboxItem(
                page: Page(.pagerDuty(action, level: $0), endsWithAck: action == .trigger && endsWithAck), incident: incident.number,
                message: message, priority: .breach)
        }
    }

    /// PagerDuty events that end paging when an incident is acknowledged (or resolved), for every
    /// level it has reached.
    public static func stopPagerDuty(_ action: PagerDutyAction, incident: Incident, message: Message, policy: Policy) -> [OutboxItem] {
        pagerDuty(action, levels: 1...max(1, incident.level), about: incident, message: message, policy: policy)
    }
}
