import Foundation
import VigilCore
import Yams

/// `oncall:`, the rotations escalation levels notify:
///
/// ```yaml
/// oncall:
///   - name: ts-primary
///     members: ["<@U0AVA>", "<@U0BEN>"]
///     shift: 1w
///     handoff: "2026-11-02 09:00 America/Los_Angeles"
///     overrides:
///       - {who: "<@U0DEE>", covers: "<@U0AVA>", from: "2026-11-24 09:00", until: "2026-11-25 09:00"}
/// ```
extension ConfigurationDecoder {
    /// The schedules that decoded completely, and the names of every schedule (`escalation`'s
    /// `notify` may name one whose other keys are wrong: that is reported once, at the schedule).
    struct OncallDecoding {
        var schedules: [OncallSchedule]
        var names: [String]
    }

    static let scheduleKeys = ["name", "members", "shift", "handoff", "overrides"]
    static let overrideKeys = ["who", "covers", "from", "until"]
    /// The longest `shift:`.
    static let longestShift = Duration.seconds(4 * 604_800)

    /// `oncall_overrides: {approval: lead}`: whether `oncall cover` by someone without the `lead`
    /// role waits for a lead's approval (`approval: none`, the default, applies every one at once).
    func oncallOverrideApproval(_ node: Node) -> OncallOverrideApproval? {
        guard let fields = reader.fields(of: node, at: "oncall_overrides", known: ["approval"]) else { return nil }
        return fields["approval"].flatMap { reader.oneOf($0, at: "oncall_overrides.approval", OncallOverrideApproval.self) }
    }

    func oncall(_ node: Node) -> OncallDecoding {
        // `oncall: []` is no schedules, as is leaving it out.
        if case let .sequence(items) = node, items.isEmpty { return OncallDecoding(schedules: [], names: []) }
        let entries = namedEntries(node, at: "oncall", kind: "on-call schedule", known: Self.scheduleKeys)
        return OncallDecoding(schedules: entries.compactMap(schedule), names: entries.map(\.name))
    }

    /// One schedule; `nil` when any part is missing or wrong (reported).
    private func schedule(_ entry: NamedEntry) -> OncallSchedule? {
        let path = "oncall[\(entry.index)]"
        let fields = entry.fields
        // `oncall cover`, `oncall overrides`, … would never reach a schedule so named.
        if OncallOverrides.keywords.contains(entry.name.lowercased()), let nameNode = fields["name"] {
            let words = OncallOverrides.keywords.joined(separator: ", ")
            reader.error("on-call schedule name \"\(entry.name)\" is a word of `oncall` (\(words)); choose another", at: nameNode)
            return nil
        }
        let complete = reader.needs(["members", "shift", "handoff"], in: fields, of: entry.node, at: path)
        let members = fields["members"].flatMap { self.members($0, at: "\(path).members") }
        let shift = fields["shift"].flatMap { self.shift($0, at: "\(path).shift") }
        let handoff = fields["handoff"].flatMap { self.handoff($0, at: "\(path).handoff") }
        // Without a usable hand-off zone, override times are still checked (in UTC) for their own mistakes.
        let zone = handoff?.zone ?? TimeZone(identifier: "UTC")!
        let overrides: [OncallOverride]? =
            fields["overrides"].map { node in
                self.overrides(node, at: "\(path).overrides", schedule: entry.name, members: members ?? [], zone: zone)
            } ?? []
        guard complete, let members, let shift, let handoff, let overrides, let nameKey = fields.keyNode("name") else { return nil }
        return OncallSchedule(
            name: entry.name, members: members, shift: shift, handoff: handoff.components, timeZone: handoff.zone,
            overrides: overrides, source: reader.location(of: nameKey))
    }

    /// At least one person, each once, in rotation order; `nil` when any is wrong (reported).
    private func members(_ node: Node, at path: String) -> [UserRef]? {
        guard let items = reader.sequence(node, at: path) else { return nil }
        guard !items.isEmpty else {
            reader.error("\(path) must list at least one person", at: node)
            return nil
        }
        var members: [UserRef] = []
        var valid = true
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let text = reader.string(item, at: itemPath), let user = reader.user(text, at: item, in: itemPath) else {
                valid = false
                continue
            }
            if members.contains(where: { $0.isSameRosterEntry(as: user) }) {
                reader.error("member \"\(text)\" is listed twice in \(path)", at: item)
                valid = false
                continue
            }
            members.append(user)
        }
        return valid ? members : nil
    }

    /// Whole hours, at most four weeks: shifts are counted on the wall clock.
    private func shift(_ node: Node, at path: String) -> Duration? {
        guard let text = reader.string(node, at: path), let shift = reader.duration(node, at: path) else { return nil }
        guard shift.components.seconds % 3_600 == 0 else {
            reader.error("\(path) must be whole hours (e.g. 12h, 1d, 1w), found \"\(text)\"", at: node)
            return nil
        }
        guard shift <= Self.longestShift else {
            reader.error("\(path) must be at most 4w, found \"\(text)\"", at: node)
            return nil
        }
        return shift
    }

    /// `2026-11-02 09:00 America/Los_Angeles`: the first hand-off on the wall clock of its zone,
    /// which is required (it is the schedule's zone). The written fields are kept as they are: a
    /// time skipped by a daylight-saving change is the core's to resolve (see `OncallRotation`).
    private func handoff(_ node: Node, at path: String) -> (components: DateComponents, zone: TimeZone)? {
        guard let text = reader.string(node, at: path) else { return nil }
        guard let parts = DateTimeText(text.trimmingCharacters(in: .whitespaces)), let written = parts.wallClock else {
            reader.error("invalid date-time \"\(text)\" for \(path) (write e.g. \"2026-11-02 09:00 America/Los_Angeles\")", at: node)
            return nil
        }
        guard let zoneText = parts.zone else {
            let example = "\"\(parts.local) America/Los_Angeles\""
            reader.error("\(path) needs a time zone, e.g. \(example) (shifts follow that zone's wall clock)", at: node)
            return nil
        }
        guard let zone = TimeText.zone(zoneText) else {
            reader.unknownTimeZone(zoneText, for: path, at: node)
            return nil
        }
        guard written.second == 0 else {
            reader.error("\(path) must be on a whole minute, found \"\(text)\"", at: node)
            return nil
        }
        let components = DateComponents(
            year: written.year, month: written.month, day: written.day, hour: written.hour, minute: written.minute)
        return (components, zone)
    }

    /// Someone covering a member for a while; times are in the schedule's `zone` unless they
    /// carry their own. `nil` when any override is wrong (reported).
    private func overrides(_ node: Node, at path: String, schedule: String, members: [UserRef], zone: TimeZone) -> [OncallOverride]? {
        guard let items = reader.sequence(node, at: path) else { return nil }
        var overrides: [(override: OncallOverride, path: String)] = []
        var valid = true
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let fields = reader.fields(of: item, at: itemPath, known: Self.overrideKeys) else {
                valid = false
                continue
            }
            let complete = reader.needs(Self.overrideKeys, in: fields, of: item, at: itemPath)
            let who = fields["who"].flatMap { reader.user($0, at: "\(itemPath).who") }
            let covers = fields["covers"].flatMap { member($0, at: "\(itemPath).covers", of: members, schedule: schedule) }
            let from = fields["from"].flatMap { dateTime($0, at: "\(itemPath).from", zone: zone) }
            let until = fields["until"].flatMap { dateTime($0, at: "\(itemPath).until", zone: zone) }
            if let from, let until, let untilNode = fields["until"], until.date <= from.date {
                reader.error("\(itemPath).until (\(until.text)) must be after its from (\(from.text))", at: untilNode)
                valid = false
                continue
            }
            guard complete, let who, let covers, let from, let until else {
                valid = false
                continue
            }
            let override = OncallOverride(
                who: who, covers: covers.user, from: from.date, until: until.date, source: reader.location(of: item))
            // Two overrides of one member at once would leave it open who is on call.
            if let other = overrides.first(where: {
                $0.override.covers.isSameRosterEntry(as: override.covers) && $0.override.from < override.until
                    && override.from < $0.override.until
            }) {
                let line = other.override.source?.line ?? 1
                reader.error("\(itemPath) overlaps \(other.path) (line \(line)): both cover \(covers.text)", at: item)
                valid = false
                continue
            }
            overrides.append((override, itemPath))
        }
        return valid ? overrides.map(\.override) : nil
    }

    /// A member of the schedule (when its members are known), with the text it was written as.
    private func member(_ node: Node, at path: String, of members: [UserRef], schedule: String) -> (user: UserRef, text: String)? {
        guard let text = reader.string(node, at: path), let user = reader.user(text, at: node, in: path) else { return nil }
        guard members.isEmpty || members.contains(where: { $0.isSameRosterEntry(as: user) }) else {
            reader.error("\"\(text)\" in \(path) is not a member of \(schedule)", at: node)
            return nil
        }
        return (user, text.trimmingCharacters(in: .whitespaces))
    }

    /// `2026-11-24 09:00`, in `zone` unless followed by a zone of its own.
    private func dateTime(_ node: Node, at path: String, zone: TimeZone) -> (date: Date, text: String)? {
        guard let text = reader.string(node, at: path) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let invalid = "invalid date-time \"\(text)\" for \(path) (write e.g. \"2026-11-24 09:00\", optionally followed by a time zone)"
        guard let parts = DateTimeText(trimmed) else {
            reader.error(invalid, at: node)
            return nil
        }
        var timeZone = zone
        if let zoneText = parts.zone {
            guard let parsed = TimeText.zone(zoneText) else {
                reader.unknownTimeZone(zoneText, for: path, at: node)
                return nil
            }
            timeZone = parsed
        }
        guard let date = TimeText.parse(parts.local, in: timeZone) else {
            reader.error(invalid, at: node)
            return nil
        }
        return (date, trimmed)
    }
}
