import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Where and why an incident's hash chain breaks (`vigil audit verify`).
@Suite struct EventChainCheckTests {
    /// INC-7 with four chained events, and the incident row as it stands after them.
    static func history() -> (incident: Incident, events: [IncidentEvent]) {
        var incident = Incident(
            number: 7, title: "Card testing spike", severity: "sev1", category: "fraud", reporter: Fixtures.ava, platform: "slack",
            channel: "incidents", openedAt: Fixtures.t0, knownAt: Fixtures.t0)
        let events = [
            EventChain.append(.opened, by: Fixtures.ava, at: Fixtures.t0, payload: ["title": "Card testing spike"], to: &incident),
            EventChain.append(.acknowledged, by: Fixtures.ben, at: Fixtures.t0 + 60, to: &incident),
            EventChain.append(.noted, by: Fixtures.ben, at: Fixtures.t0 + 120, payload: ["text": "blocked the BIN range"], to: &incident),
            EventChain.append(.resolved, by: Fixtures.ava, at: Fixtures.t0 + 600, payload: ["resolution": "fixed"], to: &incident),
        ]
        return (incident, events)
    }

    /// `events` with the event at `index` replaced by a new one of `kind` chained onto the event
    /// before it, with the hash of its new content: what a careful forger writes.
    static func forging(
        _ events: [IncidentEvent], at index: Int, _ kind: EventKind, by actor: UserRef, payload: [String: String] = [:],
        of incident: Incident
    ) -> [IncidentEvent] {
        var forged = incident
        forged.lastSequence = index
        forged.lastHash = index == 0 ? EventChain.genesis : events[index - 1].hash
        var result = events
        result[index] = EventChain.append(kind, by: actor, at: events[index].at, payload: payload, to: &forged)
        return result
    }

    @Test("an untouched history has no break, with or without the incident row")
    func intact() {
        let (incident, events) = Self.history()
        #expect(EventChain.firstBreak(in: events, incident: incident) == nil)
        #expect(EventChain.firstBreak(in: events, incident: nil) == nil)
        #expect(EventChain.verify(events))
        #expect(EventChain.firstBreak(in: [], incident: nil) == nil)
    }

    @Test("an edited payload breaks at that event: its recomputed hash against the stored one")
    func contentEdited() throws {
        var (incident, events) = Self.history()
        let original = events[2].hash
        events[2].payload["text"] = "nothing happened"

        let broken = try #require(EventChain.firstBreak(in: events, incident: incident))

        #expect(broken.incident == 7 && broken.sequence == 3 && broken.reason == .contentEdited)
        #expect(broken.foundHash == original)
        #expect(broken.expectedHash != original && broken.expectedHash.count == 64)
        #expect(broken.explanation == "event 3's content no longer matches its hash: it was edited after it was written")
        #expect(!EventChain.verify(events))
        // The actor and the time are covered too.
        (incident, events) = Self.history()
        events[1].actor = Fixtures.dee
        #expect(EventChain.firstBreak(in: events, incident: incident)?.reason == .contentEdited)
        (incident, events) = Self.history()
        events[3].at += 1
        #expect(EventChain.firstBreak(in: events, incident: incident)?.sequence == 4)
    }

    @Test("an event rewritten with a fresh hash breaks the next event's link")
    func linkBroken() throws {
        let (incident, original) = Self.history()
        let events = Self.forging(original, at: 1, .acknowledged, by: Fixtures.dee, of: incident)

        let broken = try #require(EventChain.firstBreak(in: events, incident: incident))

        #expect(broken.sequence == 3 && broken.reason == .linkBroken)
        #expect(broken.expectedHash == events[1].hash)
        #expect(broken.foundHash == original[1].hash)
        #expect(broken.explanation.hasPrefix("event 3 does not chain onto event 2"))
        // The first event must start from the genesis hash.
        var first = original
        first[0].previousHash = String(repeating: "f", count: 64)
        let start = try #require(EventChain.firstBreak(in: first, incident: incident))
        #expect(start.sequence == 1 && start.reason == .linkBroken && start.expectedHash == EventChain.genesis)
    }

    @Test("a removed event is a gap at its number")
    func sequenceGap() throws {
        let (incident, original) = Self.history()
        var events = original
        events.remove(at: 1)

        let broken = try #require(EventChain.firstBreak(in: events, incident: incident))

        #expect(broken.sequence == 2 && broken.reason == .sequenceGap(found: 3))
        #expect(broken.expectedHash == events[0].hash)
        #expect(broken.explanation == "event 2 is missing: the event stored after event 1 is event 3")
        #expect(!EventChain.verify(events))
    }

    @Test("events missing after the last stored one are caught by the incident row, not by the chain")
    func lastEventsMissing() throws {
        let (incident, original) = Self.history()
        let events = Array(original.prefix(2))
        #expect(EventChain.verify(events))

        let broken = try #require(EventChain.firstBreak(in: events, incident: incident))

        #expect(broken.sequence == 4 && broken.reason == .lastEventMismatch(recorded: 4, stored: 2))
        #expect(broken.expectedHash == incident.lastHash && broken.foundHash == original[1].hash)
        #expect(broken.explanation == "the incident records 4 events but only 2 are stored: events after event 2 are missing")
        let none = try #require(EventChain.firstBreak(in: [], incident: incident))
        #expect(none.reason == .lastEventMismatch(recorded: 4, stored: 0) && none.foundHash == EventChain.genesis)
    }

    @Test("a replaced last event, or one added outside Vigil, disagrees with the incident row")
    func lastEventReplacedOrAdded() throws {
        let (incident, original) = Self.history()
        let events = Self.forging(original, at: 3, .resolved, by: Fixtures.ava, payload: ["resolution": "no issue"], of: incident)
        let replaced = try #require(EventChain.firstBreak(in: events, incident: incident))
        #expect(replaced.reason == .lastEventMismatch(recorded: 4, stored: 4) && replaced.sequence == 4)
        #expect(replaced.explanation.contains("another hash for its last event, event 4"))

        var added = original
        var extended = incident
        added.append(EventChain.append(.noted, by: Fixtures.dee, at: Fixtures.t0 + 700, to: &extended))
        let extra = try #require(EventChain.firstBreak(in: added, incident: incident))
        #expect(extra.reason == .lastEventMismatch(recorded: 4, stored: 5))
        #expect(extra.explanation.contains("were added outside Vigil"))
    }

    @Test("each reason has a stable code for exports")
    func codes() {
        let reasons: [ChainBreak.Reason] = [
            .contentEdited, .linkBroken, .sequenceGap(found: 3), .lastEventMismatch(recorded: 2, stored: 1),
        ]
        #expect(reasons.map(\.code) == ["content_edited", "link_broken", "sequence_gap", "last_event_mismatch"])
    }
}
