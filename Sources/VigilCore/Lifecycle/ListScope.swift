import Foundation

/// The scopes of `list`: which incidents, and the words for the answer.
public enum ListScope: String, Sendable, CaseIterable {
    /// Unresolved incidents (the default).
    case open
    /// Unresolved incidents the asker owns.
    case mine
    /// Unresolved incidents past an ack or resolve target.
    case breached
    /// Resolved incidents (`closed` says the same).
    case resolved
    /// Resolved incidents whose playbooks still have unfinished steps: the follow-ups.
    case followups
    /// Everything, newest first.
    case all

    /// The scope a word names: its own name, or `closed` for `resolved`.
    public static func named(_ word: String) -> ListScope? {
        word == "closed" ? .resolved : ListScope(rawValue: word)
    }

    /// The store query for this scope.
    /// `people` links the actor's accounts: `mine` lists what any of them owns.
    public func filter(category: String?, actor: UserRef, people: PeopleDirectory = PeopleDirectory(), limit: Int = 50) -> IncidentFilter {
        switch self {
        // `breached` is answered from the clock rows; as a plain filter it means the open ones.
        case .open, .breached: IncidentFilter(states: [.open, .acknowledged], category: category, limit: limit)
        case .mine:
            IncidentFilter(
                states: [.open, .acknowledged], category: category,
                owners: [actor] + people.accounts(of: actor).filter { $0 != actor.identity }.sorted().map { UserRef(id: $0.id, name: actor.name, platform: $0.platform) },
                limit: limit)
        case .resolved: IncidentFilter(states: [.resolved], category: category, limit: limit)
        // Filtered further by their playbooks' unsettled steps, which the store does not know.
        case .followups: IncidentFilter(states: [.resolved], category: category, limit: 500)
        case .all: IncidentFilter(category: category, limit: limit)
        }
    }

    /// `open incidents`, `open fraud incidents you own`, …
    public func title(category: String?) -> String {
        let kind = category.map { "\($0) incidents" } ?? "incidents"
        switch self {
        case .open: return "open \(kind)"
        case .mine: return "open \(kind) you own"
        case .breached: return "open \(kind) past a target"
        case .resolved: return "resolved \(kind)"
        case .followups: return "resolved \(kind) with follow-ups still open"
        case .all: return kind
        }
    }
}
