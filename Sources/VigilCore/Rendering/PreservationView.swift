import Foundation

/// `/incident holds [due <period>|all]`: the evidence-preservation ledger, earliest release first.
public enum PreservationView {
    /// At most this many entries in one reply; the rest are counted, and `vigil holds` exports all.
    public static let shownLimit = 40

    /// The entries `command` asks for: those not yet released or held (the default), those due
    /// within a period (`due 30d`, past dates included), or all.
    public static func reply(_ entries: [PreservationEntry], command: ParsedCommand, context: CommandContext) throws(UserError)
        -> Reply
    {
        let now = context.now
        let text = context.text
        var title = "Preservation ledger"
        var shown: [PreservationEntry]
        switch command.string("scope") {
        case "due":
            guard let word = command.string("period"), let period = PreservationPeriod(parsing: word) else {
                throw UserError("Say how far ahead to look, like `due 30d` or `due 6mo`.", usage: command.spec.usage)
            }
            let horizon = period.end(from: now, in: context.policy.timeZone)
            shown = entries.filter { $0.releaseAt <= horizon }
            title += " · release due within \(period)"
        case "all":
            shown = entries
            title += " · every entry"
        default:
            if let word = command.string("period") {
                throw UserError("“\(word)” needs `due` before it: `holds due \(word)`.", usage: command.spec.usage)
            }
            shown = entries.filter { $0.releaseAt > now || $0.hold != nil }
            title += " · kept now"
        }
        var lines: [[Span]] = [[.bold(title), .text(" · \(shown.count) entr\(shown.count == 1 ? "y" : "ies")")]]
        if shown.isEmpty {
            lines.append([
                .text(entries.isEmpty ? "No step has preserved anything yet." : "Nothing matches; `holds all` lists every entry.")
            ])
        }
        // Where evidence is kept, and its hash, only for people cleared for restricted incidents:
        // most preserved material is restricted, and the reference leads to it.
        let mayRead = context.policy.mayReadRestricted(context.actor)
        for entry in shown.prefix(shownLimit) {
            var line: [Span] = [.text("• "), .bold(context.policy.displayID(entry.incident)), .text(" · “\(entry.what)” · ")]
            if let hold = entry.hold {
                line.append(.bold("HELD"))
                line.append(
                    .text(" since \(text.time(hold.at)) by @\(hold.by.name)\(hold.reason.isEmpty || !mayRead ? "" : ": \(hold.reason)")"))
                line.append(.text(" (release date \(text.time(entry.releaseAt)))"))
            } else {
                let verb = entry.releaseAt <= now ? "releasable since" : "kept until"
                line.append(.text("\(verb) \(text.time(entry.releaseAt))"))
            }
            line.append(
                .text(
                    " · \(entry.period)\(entry.law.map { ", \($0)" } ?? "") · by @\(entry.preservedBy.name) \(text.time(entry.preservedAt))"
                ))
            if mayRead, !entry.location.isEmpty { line.append(.text(" · \(entry.location)")) }
            if mayRead, let hash = entry.hash { line.append(.text(" · \(hash)")) }
            lines.append(line)
        }
        if shown.count > shownLimit {
            lines.append([
                .text("… and \(shown.count - shownLimit) more: "), .code("vigil holds --format csv"), .text(" exports them all."),
            ])
        }
        return Reply(.ephemeral, Message(lines: lines))
    }
}
