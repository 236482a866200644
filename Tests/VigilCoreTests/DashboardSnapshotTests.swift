import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// What the dashboard shows of each open incident, and in which order.
@Suite struct DashboardSnapshotTests {
    static let now = Fixtures.t0

    static func listed(
        _ number: Int, severity: String = "sev2", restricted: Bool = false, clocks: [(ClockKind, TimeInterval)] = []
    ) -> ListedIncident {
        var incident = Incident(
            number: number, title: "Case \(number)", severity: severity, category: restricted ? "child-safety" : "fraud",
            owner: Fixtures.ben,
            reporter: Fixtures.ava, platform: "slack", channel: "c", openedAt: now - 600, knownAt: now - 600, restricted: restricted)
        incident.level = 2
        let rows = clocks.enumerated().map { index, clock in
            ClockRow(incident: number, name: "\(clock.0.rawValue)-\(index)", kind: clock.0, startedAt: now - 600, dueAt: now + clock.1)
        }
        return ListedIncident(incident: incident, clocks: rows)
    }

    static func snapshot(_ open: [ListedIncident], viewer: UserRef = Fixtures.ava) -> DashboardSnapshot {
        let outbox = StoreStatus(
            schemaVersion: 1, outbox: [], oldestPending: nil, deadLetters: [], incidents: [:], breached: 0, nextClock: nil)
        return DashboardSnapshot(
            open: open, reports: [], outbox: outbox, viewer: viewer, policy: Fixtures.policy, catalog: PlaybookCatalog(), now: now)
    }

    @Test("breached first, then the nearest deadline, then severity; escalation timers and reminders are no deadline")
    func urgencyOrder() {
        let rows = Self.snapshot([
            Self.listed(1, severity: "sev3"),
            Self.listed(2, severity: "sev1"),
            Self.listed(3, clocks: [(.resolve, 3_600), (.escalation, 60)]),
            Self.listed(4, clocks: [(.ack, -30)]),
            Self.listed(5, clocks: [(.legal, 1_800), (.reminder, 10)]),
        ]).rows
        #expect(rows.map(\.id) == ["INC-4", "INC-5", "INC-3", "INC-2", "INC-1"])
        #expect(rows[0].deadline?.breached == true && rows[0].deadline?.label == "ack")
        #expect(rows[1].deadline?.isLegal == true && rows[1].deadline?.dueAt == Self.now + 1_800)
        #expect(rows[2].deadline?.label == "resolve", "the escalation timer due sooner is not the deadline")
        #expect(rows[3].deadline == nil)
    }

    @Test("a restricted incident is ID, severity and category only for the uncleared, and whole for the cleared")
    func redaction() {
        let open = [Self.listed(7, severity: "sev1", restricted: true, clocks: [(.legal, 600)])]
        let uncleared = Self.snapshot(open).rows[0]
        #expect(uncleared.redacted && uncleared.id == "INC-7" && uncleared.severity == "sev1" && uncleared.category == "child-safety")
        #expect(uncleared.title == nil && uncleared.state == nil && uncleared.owner == nil && uncleared.level == nil)
        #expect(uncleared.deadline == nil && uncleared.progress == nil)
        let cleared = Self.snapshot(open, viewer: Fixtures.dee)
        #expect(cleared.cleared && !cleared.rows[0].redacted)
        #expect(cleared.rows[0].title == "Case 7" && cleared.rows[0].owner == "ben" && cleared.rows[0].deadline?.isLegal == true)
    }
}
