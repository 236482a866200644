import Foundation

/// `/incident oncall [schedule]`: who is on call now and next, and who each escalation level reaches.
public enum OncallView {
    public static func reply(schedule name: String?, context: CommandContext) -> Reply {
        let policy = context.policy
        let text = context.text
        let schedules = name.map { wanted in policy.oncall.filter { $0.name == wanted } } ?? policy.oncall
        if let name, schedules.isEmpty {
            let known = policy.oncall.map(\.name)
            let hint = Suggestions.closest(to: name, in: known).first.map { " Did you mean \($0)?" } ?? ""
            return UserError(
                "There is no on-call schedule “\(name)”.\(hint) \(known.isEmpty ? "No schedules are configured." : "Schedules: \(known.joined(separator: ", ")).")",
                usage: "oncall [schedule]"
            ).reply
        }
        var lines: [[Span]] = []
        if schedules.isEmpty { lines.append([.text("No on-call schedules are configured (config `oncall:`).")]) }
        for schedule in schedules {
            let shifts = schedule.shifts(from: context.now, count: 3)
            guard let current = shifts.first else { continue }
            var line: [Span] = [.bold(schedule.name), .text(": now "), .mention(current.person), .text(" until \(text.time(current.end))")]
            if !current.person.isSameRosterEntry(as: current.member) {
                line += [.text(" (covering "), .mention(current.member), .text(")")]
            }
            for shift in shifts.dropFirst() {
                line += [.text(" · then "), .mention(shift.person), .text(" until \(text.time(shift.end))")]
            }
            lines.append(line)
        }
        if name == nil {
            lines.append([.bold("Escalation")])
            for (index, level) in policy.escalationLevels.enumerated() {
                var line: [Span] = [.text("\(index + 1). \(level.name)")]
                if let after = level.after { line.append(.text(" (after \(DurationText.format(after)) unacknowledged)")) }
                if !level.notify.isEmpty { line.append(.text(" → ")) }
                for (position, target) in level.notify.enumerated() {
                    if position > 0 { line.append(.text(", ")) }
                    switch target {
                    case let .user(user): line.append(.mention(user))
                    case let .schedule(name):
                        line.append(.text(name))
                        if let person = policy.schedule(named: name)?.shift(at: context.now)?.person {
                            line += [.text(" ("), .mention(person), .text(")")]
                        }
                    }
                }
                lines.append(line)
            }
        }
        return Reply(.ephemeral, Message(lines: lines))
    }
}
