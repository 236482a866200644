/// The first place an incident's recorded history stops verifying: which event, the hash the
/// chain called for there, the hash stored instead, and why, in plain words.
///
/// A break means the history was changed outside Vigil (an edited, removed or inserted row) or
/// damaged on disk: Vigil itself only ever appends, in one transaction with the incident row.
public struct ChainBreak: Sendable, Equatable, CustomStringConvertible {
    /// Why a chain breaks, as `vigil audit` reports it.
    public enum Reason: Sendable, Equatable {
        /// The event's stored hash is not the hash of its content: a field (its payload, actor,
        /// time, kind or previous hash) was changed after it was written.
        case contentEdited
        /// The event's previous hash is not the hash of the event stored before it: the event
        /// before was rewritten with a fresh hash, or one was removed or inserted.
        case linkBroken
        /// The event stored at this place has the sequence number `found` instead of the one
        /// the chain expects: events were removed (or renumbered).
        case sequenceGap(found: Int)
        /// The incident row records its last event as `recorded` (and its hash), while the
        /// stored events end at `stored` (0: none), or end there with another hash: events after
        /// the last stored one are missing, or the last ones were replaced.
        case lastEventMismatch(recorded: Int, stored: Int)

        /// A stable word for the reason, for exports and scripts.
        public var code: String {
            switch self {
            case .contentEdited: "content_edited"
            case .linkBroken: "link_broken"
            case .sequenceGap: "sequence_gap"
            case .lastEventMismatch: "last_event_mismatch"
            }
        }
    }

    /// The incident number (`INC-7` is 7).
    public var incident: Int
    /// The sequence number of the event where the chain breaks: the event whose content or link
    /// fails, the one missing at a gap, or the last one the incident row records.
    public var sequence: Int
    /// The hash the chain calls for at this place (see ``Reason`` for which hash each compares).
    public var expectedHash: String
    /// The hash stored there instead.
    public var foundHash: String
    public var reason: Reason

    public init(incident: Int, sequence: Int, expectedHash: String, foundHash: String, reason: Reason) {
        self.incident = incident
        self.sequence = sequence
        self.expectedHash = expectedHash
        self.foundHash = foundHash
        self.reason = reason
    }

    /// What went wrong at ``sequence``, in plain words, without the incident's ID (which the
    /// caller writes in the team's form) or the hashes.
    public var explanation: String {
        switch reason {
        case .contentEdited:
            "event \(sequence)'s content no longer matches its hash: it was edited after it was written"
        case .linkBroken where sequence == 1:
            "event 1's previous hash is not the chain's start (64 zeros): it was rewritten, or events before it were inserted"
        case .linkBroken:
            "event \(sequence) does not chain onto event \(sequence - 1): its previous hash is not event \(sequence - 1)'s hash "
                + "(event \(sequence - 1) was rewritten, or an event was removed or inserted)"
        case let .sequenceGap(found) where found > sequence:
            "event \(sequence) is missing: the event stored after event \(sequence - 1) is event \(found)"
        case let .sequenceGap(found):
            "event \(sequence) is missing: the event stored in its place is numbered \(found)"
        case let .lastEventMismatch(recorded, stored) where recorded > stored:
            "the incident records \(recorded) events but only \(stored) are stored: events after event \(stored) are missing"
        case let .lastEventMismatch(recorded, stored) where recorded < stored:
            "the incident records \(recorded) events but \(stored) are stored: events after event \(recorded) were added outside Vigil"
        case .lastEventMismatch:
            "the incident records another hash for its last event, event \(sequence): its events were replaced"
        }
    }

    public var description: String {
        "incident \(incident): \(explanation) (expected hash \(expectedHash), found \(foundHash))"
    }
}

extension EventChain {
    /// The first break in an incident's history, or `nil` when it verifies: every event numbered
    /// in turn from 1, chained onto the one before by hash, its hash the hash of its content, and
    /// (given the incident row) the events ending where the row says its last event is.
    ///
    /// `events` are one incident's, in stored order. Each event's link is checked before its
    /// content, so a rewritten previous hash reads as a broken link rather than an edit.
    public static func firstBreak(in events: [IncidentEvent], incident: Incident?) -> ChainBreak? {
        let number = incident?.number ?? events.first?.incident ?? 0
        var previous = genesis
        for (offset, event) in events.enumerated() {
            let sequence = offset + 1
            guard event.sequence == sequence else {
                return ChainBreak(
                    incident: number, sequence: sequence, expectedHash: previous, foundHash: event.previousHash,
                    reason: .sequenceGap(found: event.sequence))
            }
            guard event.previousHash == previous else {
                return ChainBreak(
                    incident: number, sequence: sequence, expectedHash: previous, foundHash: event.previousHash, reason: .linkBroken)
            }
            let expected = digest(
                incident: event.incident, sequence: event.sequence, kind: event.kind, actor: event.actor, at: event.at,
                payload: event.payload, previousHash: event.previousHash)
            guard expected == event.hash else {
                return ChainBreak(
                    incident: number, sequence: sequence, expectedHash: expected, foundHash: event.hash, reason: .contentEdited)
            }
            previous = event.hash
        }
        if let incident, incident.lastSequence != events.count || incident.lastHash != previous {
            return ChainBreak(
                incident: number, sequence: incident.lastSequence, expectedHash: incident.lastHash, foundHash: previous,
                reason: .lastEventMismatch(recorded: incident.lastSequence, stored: events.count))
        }
        return nil
    }
}
