import Foundation

/// One entry of the evidence-preservation ledger: what a completed step preserved, where, by
/// whom, and the day it may be released, unless its incident is under a legal hold.
public struct PreservationEntry: Sendable, Hashable {
    public var incident: Int
    public var category: String?
    public var playbook: String
    public var step: String
    /// What is kept: "CyberTipline report contents".
    public var what: String
    /// Where: the references the step required (`preservation_ref=SNAP-88`), or empty.
    public var location: String
    /// A hash given with the step (`sha256=…`), if one was.
    public var hash: String?
    public var law: String?
    /// The period, as config writes it (`1y`).
    public var period: String
    public var preservedBy: UserRef
    public var preservedAt: Date
    public var releaseAt: Date
    /// The incident's legal hold now, if it has one: then nothing is released, whatever `releaseAt` says.
    public var hold: LegalHold?

    /// Whether it may be released at `now`: its date has come and no hold stands.
    public func isReleasable(at now: Date) -> Bool { hold == nil && releaseAt <= now }
}

/// The ledger, as the events of each incident's hash chain record it: `preserved` adds an
/// entry, `held` and `hold_released` place and lift the incident's legal hold. Built from
/// events, so it is exactly as trustworthy as the chain `vigil audit verify` checks.
public enum PreservationLedger {
    /// The event kinds the ledger is made of.
    public static let eventKinds: [EventKind] = [.preserved, .held, .holdReleased]

    /// The entries `events` (of any incidents, each incident's in sequence order) record, each
    /// with its incident's hold as the events leave it; earliest release first.
    public static func entries(from events: [IncidentEvent]) -> [PreservationEntry] {
        var holds: [Int: LegalHold] = [:]
        var entries: [PreservationEntry] = []
        for event in events.sorted(by: { ($0.incident, $0.sequence) < ($1.incident, $1.sequence) }) {
            let p = event.payload
            switch event.kind {
            case .held:
                holds[event.incident] = LegalHold(by: event.actor, at: event.at, reason: p["reason"] ?? "")
            case .holdReleased:
                holds[event.incident] = nil
            case .preserved:
                guard let step = p["step"], let playbook = p["playbook"], let release = p["release_at"].flatMap(Int64.init) else { continue }
                entries.append(
                    PreservationEntry(
                        incident: event.incident, category: p["category"], playbook: playbook, step: step, what: p["what"] ?? step,
                        location: p["where"] ?? "", hash: p["hash"], law: p["law"], period: p["for"] ?? "", preservedBy: event.actor,
                        preservedAt: event.at, releaseAt: Date(timeIntervalSince1970: TimeInterval(release) / 1000)))
            default:
                continue
            }
        }
        for index in entries.indices { entries[index].hold = holds[entries[index].incident] }
        return entries.sorted { ($0.releaseAt, $0.incident, $0.step) < ($1.releaseAt, $1.incident, $1.step) }
    }

    /// The name of the reminder clock for a step's entry (unique per incident and step).
    public static func clockName(playbook: String, step: String) -> String { "release:\(playbook)/\(step)" }

    /// Evidence fields that carry a hash of what was preserved.
    static let hashFields = ["sha256", "hash", "md5", "photodna"]
    /// Evidence fields that say when a hold ends, as typed by the person (YYYY-MM-DD).
    static let untilFields = ["preserve_until", "hold_until"]

    /// The entry for `step` done at `now` under `rule`: the event's payload, its release date and
    /// the reminder clock. The release date is the rule's, or later when the person recorded a
    /// later end (`preserve_until=2028-01-31`): never earlier than the law asks.
    static func record(
        _ rule: PreservationRule, step: PlaybookStep, playbook: String, evidence: [String: String], incident: Incident, policy: Policy,
        now: Date
    ) -> (payload: [String: String], releaseAt: Date, clock: ClockRow) {
        let start: Date
        switch rule.from {
        case .completed: start = now
        case .known: start = incident.knownAt
        case .opened: start = incident.openedAt
        }
        var release = rule.period.end(from: start, in: policy.timeZone)
        for field in untilFields {
            // The end of the day typed, in the team's zone.
            if let typed = evidence[field], let until = TimeText.parse(typed.trimmingCharacters(in: .whitespaces) + " 23:59", in: policy.timeZone),
                until > release
            {
                release = until
            }
        }
        var payload = [
            "step": step.id, "playbook": playbook, "what": rule.what ?? step.title, "for": rule.period.configForm,
            "from": rule.from.rawValue, "release_at": String(Int64((release.timeIntervalSince1970 * 1000).rounded())),
            "category": incident.category,
        ]
        let location = evidence.filter { !untilFields.contains($0.key) && !hashFields.contains($0.key) }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        if !location.isEmpty { payload["where"] = location }
        if let hash = hashFields.lazy.compactMap({ field in evidence[field].map { "\(field)=\($0)" } }).first { payload["hash"] = hash }
        if let law = rule.law { payload["law"] = law }
        let remindAt = max(now, release.addingTimeInterval(-policy.preservationReminder.timeInterval))
        let clock = ClockRow(
            incident: incident.number, name: clockName(playbook: playbook, step: step.id), kind: .release, startedAt: start, dueAt: release,
            rule: rule.law, nextFireAt: remindAt)
        return (payload, release, clock)
    }

    /// Fires a release reminder: legal (and the leads channel) hear that an entry may be released
    /// soon, with the command to hold it; under a hold, the row ends silently, since nothing is
    /// released while it stands and `release` says what came due meanwhile.
    static func fire(_ row: ClockRow, incident: Incident, policy: Policy, now: Date) -> ClockFiring {
        var done = row
        done.state = .met
        done.stoppedAt = now
        done.nextFireAt = nil
        guard incident.legalHold == nil else {
            return ClockFiring(row: done, incident: incident, expectedSequence: incident.lastSequence, events: [], outbox: [])
        }
        let text = IncidentText(policy: policy, now: now)
        let id = text.id(incident)
        var line: [Span] = [.text("🗄 ")] + text.tag(incident)
        let what = row.name.split(separator: "/").last.map(String.init) ?? row.name
        line.append(.text(" · preserved evidence (step \(what)) may be released \(text.time(row.dueAt))"))
        if let rule = row.rule { line.append(.text(" under \(rule)")) }
        line += [.text(" · to keep it: "), .code("/incident hold \(id) <reason>"), .text(" · ledger: "), .code("/incident holds due 30d")]
        let message = Message(lines: [line])
        let legal = StepOwners(policy: policy, now: now).people("legal", for: incident)
        let pages = Paging.pages(
            to: legal, about: incident, message: message, priority: .other, urgency: .notice, endsWithAck: false, policy: policy)
        return ClockFiring(
            row: done, incident: incident, expectedSequence: incident.lastSequence, events: [],
            outbox: [OutboxItem(channel: .leads, incident: incident.number, message: message)] + pages)
    }
}
