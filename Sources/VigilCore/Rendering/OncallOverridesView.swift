import Foundation

/// The replies of `oncall cover`, `approve`, `cancel` and `overrides`. People are mentions
/// (platform IDs), never typed names; times are in the team's zone, which each reply names.
public enum OncallOverridesView {
    /// `@ava covers @ben in ts-primary from Thu 3 Dec 09:00 to Fri 4 Dec 09:00 (Europe/Berlin) ·
    /// override 3 · by @lead`, to the channel: the team should see who is on call.
    public static func created(_ override: StoredOncallOverride, context: CommandContext) -> Reply {
        var line = summary(override, context: context) + [.text(" · override \(override.id) · by "), .mention(override.createdBy)]
        if override.isPending {
            line += [
                .text(" · pending: it changes nothing until a lead approves it with "), .code("/incident oncall approve \(override.id)"),
            ]
        }
        return Reply(.inChannel, Message(lines: [line]))
    }

    /// A lead's approval, to the channel.
    public static func approved(_ override: StoredOncallOverride, context: CommandContext) -> Reply {
        let line: [Span] =
            [.text("Override \(override.id) approved by "), .mention(context.actor), .text(": ")] + summary(override, context: context)
        return Reply(.inChannel, Message(lines: [line]))
    }

    /// A cancellation, to the channel: whoever was on call before is again.
    public static func cancelled(_ override: StoredOncallOverride, context: CommandContext) -> Reply {
        let line: [Span] =
            [.text("Override \(override.id) cancelled by "), .mention(context.actor), .text(": ")]
            + [
                .mention(override.who), .text(" no longer covers "), .mention(override.covers),
                .text(" in \(override.schedules.joined(separator: ", "))."),
            ]
        return Reply(.inChannel, Message(lines: [line]))
    }

    /// `oncall overrides`: current and upcoming ones, pending ones marked, to the asker alone.
    public static func list(_ overrides: [StoredOncallOverride], context: CommandContext) -> Reply {
        let zone = context.policy.timeZone.identifier
        guard !overrides.isEmpty else {
            return Reply(
                .ephemeral,
                Message(lines: [
                    [.text("No current or upcoming on-call overrides. Add one with "), .code("/incident \(OncallOverrides.coverUsage)")]
                ]))
        }
        var lines: [[Span]] = [[.bold("On-call overrides"), .text(" (times in \(zone))")]]
        for override in overrides {
            var line: [Span] = [.bold("\(override.id)"), .text(" · ")] + summary(override, context: context, zone: false)
            line += [.text(" · by "), .mention(override.createdBy)]
            if override.isPending {
                line.append(.text(" · pending approval"))
            } else if let approver = override.approvedBy, !approver.isSamePerson(as: override.createdBy) {
                line += [.text(" · approved by "), .mention(approver)]
            }
            if override.isInForce, override.from <= context.now { line.append(.text(" · in force now")) }
            lines.append(line)
        }
        return Reply(.ephemeral, Message(lines: lines))
    }

    /// `@ava covers @ben in ts-primary from Thu 3 Dec 09:00 to Fri 4 Dec 09:00 (Europe/Berlin)`.
    static func summary(_ override: StoredOncallOverride, context: CommandContext, zone: Bool = true) -> [Span] {
        let timeZone = context.policy.timeZone
        let from = moment(override.from, now: context.now, zone: timeZone)
        let until = moment(override.until, now: context.now, zone: timeZone)
        return [
            .mention(override.who), .text(" covers "), .mention(override.covers),
            .text(" in \(override.schedules.joined(separator: ", ")) from \(from) to \(until)\(zone ? " (\(timeZone.identifier))" : "")"),
        ]
    }

    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// `Thu 3 Dec 09:00` in `zone`, with the year when it is not `now`'s. Fixed English names, as
    /// ``TimeText`` uses, since a server's locale data may lack them.
    static func moment(_ date: Date, now: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let year = parts.year == calendar.component(.year, from: now) ? "" : " \(parts.year!)"
        return "\(weekdays[parts.weekday! - 1]) \(parts.day!) \(TimeText.monthNames[parts.month! - 1])\(year) "
            + "\(Digits.padded(parts.hour!, 2)):\(Digits.padded(parts.minute!, 2))"
    }
}
