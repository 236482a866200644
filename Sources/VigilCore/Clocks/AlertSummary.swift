/// The one post that stands for the alerts a channel's rate budget folded:
/// `…and 480 more alerts: /incident list breached`, then what they were and which incidents.
///
/// It names incidents by ID only (never titles), so it is safe for restricted incidents.
public enum AlertSummary {
    /// Incidents named in a summary before it says "and N more".
    public static let namedIncidents = 8

    /// The summary post for `overflow`; `displayID` names an incident (`INC-42`).
    public static func item(for overflow: OutboxOverflow, displayID: (Int) -> String) -> OutboxItem {
        let total = overflow.ids.count
        let onlyAlerts = (overflow.counts[.other] ?? 0) == 0
        let noun = onlyAlerts ? "alert" : "post"
        let first: [Span] = [
            .text("…and "), .bold(CatchUp.count(total, "more \(noun)")),
            .text(": "), .code("/incident list breached"),
        ]
        let kinds: [(OutboxPriority, String)] = [(.breach, "breach"), (.escalation, "escalation"), (.warning, "warning"), (.other, "other post")]
        var details = kinds.compactMap { priority, name -> String? in
            guard let count = overflow.counts[priority], count > 0 else { return nil }
            return count == 1 ? "1 \(name)" : "\(CatchUp.grouped(count)) \(name == "breach" ? "breaches" : name + "s")"
        }.joined(separator: ", ")
        let named = overflow.incidents.prefix(namedIncidents).map(displayID).joined(separator: ", ")
        if !named.isEmpty {
            let rest = overflow.incidents.count - min(overflow.incidents.count, namedIncidents)
            details += (details.isEmpty ? "" : " · ") + "on " + named + (rest > 0 ? " and \(CatchUp.count(rest, "more incident"))" : "")
        }
        details += (details.isEmpty ? "" : " · ") + "folded into this post to keep the channel within its budget"
        return OutboxItem(
            channel: overflow.channel, incident: nil, message: Message(lines: [first, [.text(details)]]), priority: .summary)
    }
}
