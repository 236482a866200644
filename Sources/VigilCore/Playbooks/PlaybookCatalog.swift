import Foundation

/// The installed playbooks, in file-name order, and the incident types they define.
public struct PlaybookCatalog: Sendable {
    public let playbooks: [Playbook]

    public init(_ playbooks: [Playbook] = []) {
        self.playbooks = playbooks
    }

    public func playbook(id: String) -> Playbook? {
        playbooks.first { $0.id == id.lowercased() }
    }

    /// The playbook whose type or alias is `word` (case-insensitive).
    public func playbook(forType word: String) -> Playbook? {
        let lowered = word.lowercased()
        return playbooks.first { $0.typeWords.contains(lowered) }
    }

    /// Every type word and alias, for suggestions.
    public var typeWords: [String] { playbooks.flatMap(\.typeWords) }

    public var ids: [String] { playbooks.map(\.id) }

    /// The playbooks that may be attached to an incident of `category`, in file-name order.
    public func applicable(toCategory category: String) -> [Playbook] {
        playbooks.filter { $0.applies(toCategory: category) }
    }

    /// The playbooks an incident opened with only its category may follow: those of the category
    /// whose `applies_to.severities` (if any) admit the severity.
    public func candidates(category: String, severity: String) -> [Playbook] {
        playbooks.filter { $0.category?.lowercased() == category.lowercased() && $0.appliesTo.matches(category: $0.category!, severity: severity) }
    }

    /// `candidates` best first: by how many of each playbook's keywords (and type words) the
    /// title holds, ties in file-name order.
    public func ranked(_ candidates: [Playbook], title: String) -> [Playbook] {
        let words = PlaybookCatalog.words(of: title)
        let lowered = " " + words.joined(separator: " ") + " "
        func score(_ playbook: Playbook) -> Int {
            (playbook.keywords + playbook.typeWords).filter { keyword in
                let phrase = PlaybookCatalog.words(of: keyword).joined(separator: " ")
                return !phrase.isEmpty && lowered.contains(" \(phrase) ")
            }.count
        }
        return candidates.enumerated()
            .map { (offset: $0.offset, playbook: $0.element, score: score($0.element)) }
            .sorted { ($1.score, $0.offset) < ($0.score, $1.offset) }
            .map(\.playbook)
    }

    /// The playbooks `incident` may choose among, best match for its title first.
    public func choices(for incident: Incident) -> [Playbook] {
        ranked(candidates(category: incident.category, severity: incident.severity), title: incident.title)
    }

    /// The progress of each playbook attached to `incident` that is still installed, primary first.
    public func progresses(of incident: Incident) -> [PlaybookProgress] {
        incident.playbooks.enumerated().compactMap { index, attached in
            playbook(id: attached.id).map {
                PlaybookProgress(playbook: $0, incident: incident, attachedAt: attached.attachedAt, isPrimary: index == 0)
            }
        }
    }

    /// Whether `incident` waits for a responder to choose its playbook: it has none, and its
    /// category offers several.
    public func awaitsChoice(_ incident: Incident) -> Bool {
        incident.playbooks.isEmpty && incident.state != .resolved
            && candidates(category: incident.category, severity: incident.severity).count > 1
    }

    /// Lower-case words of letters and digits: `Card-testing spike!` is `card testing spike`.
    static func words(of text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}
