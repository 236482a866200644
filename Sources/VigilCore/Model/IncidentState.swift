/// Where an incident is in its lifecycle. Escalation is a level, not a state.
public enum IncidentState: String, Sendable, Hashable, Codable, CaseIterable {
    case open
    case acknowledged
    case resolved
}
