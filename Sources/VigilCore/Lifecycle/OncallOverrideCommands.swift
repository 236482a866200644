import Foundation

/// What `oncall …` asks for: the view (`oncall [schedule]`, unchanged), or one of the override
/// forms, which share the subcommand because they are about the same rotations.
public enum OncallRequest: Sendable, Equatable {
    /// `oncall [schedule]`.
    case show(schedule: String?)
    /// `oncall overrides`: current and upcoming overrides, pending ones included.
    case list
    /// `oncall cover @who for @whom FROM..UNTIL [in schedule]`, checked and ready to record.
    case cover(NewOncallOverride)
    /// `oncall approve <override>` (leads).
    case approve(Int64)
    /// `oncall cancel <override>` (its maker or a lead).
    case cancel(Int64)
}

/// The rules of on-call overrides made from chat, pure: parsing and checking `cover`, and who
/// may approve or cancel what. The desk does the store reads and writes around them.
///
/// Rules a T&S team would expect:
/// - Anyone with the spec's role (responder) may put *themselves* on call for someone; covering
///   for someone else with a third person takes the `lead` role.
/// - With `oncall_overrides: {approval: lead}`, a non-lead's override is pending until a lead
///   approves it; a lead's own applies at once.
/// - Times are in the team's zone (config `timezone:`, as for `--known`), unless written with
///   one; a window is at most ``longestWindow`` long and may not lie entirely in the past.
public enum OncallOverrides {
    /// The words after `oncall` that are not schedule names.
    public static let keywords = ["cover", "overrides", "approve", "cancel"]

    public static let coverUsage = "oncall cover @who for @whom <from>..<until> [in <schedule>]"
    public static let approveUsage = "oncall approve <override>"
    public static let cancelUsage = "oncall cancel <override>"

    /// 30 days: a month of holiday is the longest cover a team arranges in chat; anything longer
    /// is a change of the rotation itself, which belongs in config `oncall:`, by review.
    public static let longestWindow: TimeInterval = 30 * 86_400
    /// How far ahead an override may start: a typo'd year (2062) should not be accepted silently.
    public static let furthestStart: TimeInterval = 366 * 86_400

    /// Reads `command` (an `oncall` one) into a request; a ``UserError`` with the right usage
    /// for anything malformed. `requestID` is recorded with a new override.
    public static func request(_ command: ParsedCommand, context: CommandContext, requestID: String? = nil) throws(UserError)
        -> OncallRequest
    {
        let first = command.string("schedule")
        let rest = (command.string("override") ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first, keywords.contains(first.lowercased()) else {
            guard rest.isEmpty else {
                throw UserError(
                    "`oncall` takes one schedule name, or cover, overrides, approve or cancel; “\(rest.joined(separator: " "))” is extra.",
                    usage: command.spec.usage)
            }
            return .show(schedule: first)
        }
        switch first.lowercased() {
        case "overrides":
            guard rest.isEmpty else { throw UserError("`oncall overrides` takes nothing after it.", usage: "oncall overrides") }
            return .list
        case "approve": return .approve(try overrideID(rest, usage: approveUsage))
        case "cancel": return .cancel(try overrideID(rest, usage: cancelUsage))
        default: return .cover(try cover(rest, context: context, requestID: requestID))
        }
    }

    /// `3` or `#3`: the one word after `approve` or `cancel`.
    static func overrideID(_ words: [String], usage: String) throws(UserError) -> Int64 {
        guard words.count == 1 else {
            throw UserError(
                words.isEmpty ? "Name the override by its number; `/incident oncall overrides` lists them." : "Name one override.",
                usage: usage)
        }
        let digits = words[0].hasPrefix("#") ? String(words[0].dropFirst()) : words[0]
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(digits), id > 0 else {
            throw UserError("“\(words[0])” is not an override number; `/incident oncall overrides` lists them.", usage: usage)
        }
        return id
    }

    // MARK: - cover

    static func cover(_ words: [String], context: CommandContext, requestID: String?) throws(UserError) -> NewOncallOverride {
        let policy = context.policy
        func fail(_ message: String) -> UserError { UserError(message, usage: coverUsage) }
        guard words.count >= 4, words[1].lowercased() == "for" else {
            throw fail("Say who covers whom, and when: for example `oncall cover @ava for @ben 2026-12-03 09:00..2026-12-04 09:00`.")
        }
        let who = try person(words[0], role: "who covers", context: context)
        let whom = try person(words[2], role: "whom they cover", context: context)
        var timeWords = Array(words[3...])
        var named: String?
        if timeWords.count >= 2, timeWords[timeWords.count - 2].lowercased() == "in" {
            named = timeWords.removeLast()
            timeWords.removeLast()
        }
        let (from, until) = try window(timeWords.joined(separator: " "), context: context)
        if who.isSamePerson(as: whom) || policy.isSamePerson(who, whom) {
            throw fail("@\(who.name) cannot cover for themselves; name the person they take over from.")
        }
        // Putting yourself on call is everyone's to offer; moving someone else is a lead's call.
        if !isActor(who, context: context), !policy.has(context.actor, .lead) {
            throw fail(
                "You may put yourself on call (`oncall cover @you for @\(whom.name) …`); only people with the `lead` role may set someone else to cover. Ask a lead, or your Vigil operator (config `roles:`)."
            )
        }
        let schedules = try rotations(covering: whom, named: named, from: from, until: until, policy: policy)
        let approved = policy.oncallOverrideApproval == .none || policy.has(context.actor, .lead)
        return NewOncallOverride(
            schedules: schedules, who: who, covers: whom, from: from, until: until, createdBy: context.actor, createdAt: context.now,
            approved: approved, requestID: requestID)
    }

    /// A mention with a platform ID, qualified with the command's platform. A bare `@name` is a
    /// display name anyone can take, so it never names who is paged.
    static func person(_ word: String, role: String, context: CommandContext) throws(UserError) -> UserRef {
        guard let user = UserMention.parse(word) else {
            throw UserError("“\(word)” is not a person. Name \(role) with a mention, e.g. @ava picked from the list.", usage: coverUsage)
        }
        guard user.id != user.name || word.hasPrefix("<@") else {
            throw UserError(
                "“\(word)” is a typed name, not a mention: pick the person from the mention list so that Vigil has their user ID (a display name is not an identity).",
                usage: coverUsage)
        }
        return user.on(context.platform)
    }

    static func isActor(_ user: UserRef, context: CommandContext) -> Bool {
        user.isSamePerson(as: context.actor) || context.policy.isSamePerson(user, context.actor)
    }

    /// `FROM..UNTIL`, each `YYYY-MM-DD HH:MM` in the team's zone (or with its own), FROM also `now`.
    static func window(_ text: String, context: CommandContext) throws(UserError) -> (Date, Date) {
        let zone = context.policy.timeZone
        func fail(_ message: String) -> UserError { UserError(message, usage: coverUsage) }
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2 else {
            throw fail(
                "Give the time as FROM..UNTIL, e.g. `2026-12-03 09:00..2026-12-04 09:00` (\(zone.identifier)), or `now..2026-12-04 09:00`.")
        }
        let fromText = parts[0].trimmingCharacters(in: .whitespaces)
        let untilText = parts[1].trimmingCharacters(in: .whitespaces)
        func time(_ text: String, _ label: String) throws(UserError) -> Date {
            if label == "start", text.lowercased() == "now" { return context.now }
            guard let date = TimeText.parse(text, in: zone) else {
                throw fail(
                    "The \(label) “\(text)” is not a time. Write it as `2026-12-03 09:00` (in \(zone.identifier) unless you add a zone).")
            }
            return date
        }
        let from = try time(fromText, "start")
        let until = try time(untilText, "end")
        let text = IncidentText(policy: context.policy, now: context.now)
        guard until > from else { throw fail("The end (\(text.time(until))) must come after the start (\(text.time(from))).") }
        guard until > context.now else { throw fail("That window ended at \(text.time(until)); an override must reach into the future.") }
        guard until.timeIntervalSince(from) <= longestWindow else {
            throw fail(
                "An override may last at most 30 days; this one lasts \(DurationText.format(.seconds(until.timeIntervalSince(from)))). Change the rotation in config `oncall:` for longer, or make one override per month."
            )
        }
        guard from.timeIntervalSince(context.now) <= furthestStart else {
            throw fail("An override may start at most a year ahead; \(text.time(from)) is further. Check the year.")
        }
        return (from, until)
    }

    /// The rotations in which `whom` has a shift within `[from, until)`: the one named, or all of
    /// theirs. A specific refusal when there is none.
    static func rotations(covering whom: UserRef, named: String?, from: Date, until: Date, policy: Policy) throws(UserError) -> [String] {
        func fail(_ message: String) -> UserError { UserError(message, usage: coverUsage) }
        let all = policy.oncall
        if let named {
            guard all.contains(where: { $0.name == named }) else {
                let names = all.map(\.name)
                let hint = Suggestions.closest(to: named, in: names).first.map { " Did you mean \($0)?" } ?? ""
                throw fail(
                    "There is no on-call schedule “\(named)”.\(hint) Schedules: \(names.isEmpty ? "none configured" : names.joined(separator: ", "))."
                )
            }
        }
        let candidates = all.filter { named == nil || $0.name == named }
        let memberOf = candidates.filter { schedule in schedule.members.contains { isMember($0, whom, policy: policy) } }
        guard !memberOf.isEmpty else {
            let listed = candidates.map { "\($0.name) (\($0.members.map { "@\($0.name)" }.joined(separator: ", ")))" }
            if candidates.isEmpty { throw fail("No on-call schedules are configured (config `oncall:`), so there is no shift to cover.") }
            throw fail(
                "@\(whom.name) is not a member of \(named.map { "on-call schedule \($0)" } ?? "any on-call schedule"): \(listed.joined(separator: "; "))."
            )
        }
        let withShifts = memberOf.filter { hasShift(whom, in: $0, from: from, until: until, policy: policy) }
        guard !withShifts.isEmpty else {
            throw fail(
                "@\(whom.name) has no shift between those times in \(memberOf.map(\.name).joined(separator: " or ")), so there is nothing to cover. `/incident oncall` shows who is on when."
            )
        }
        return withShifts.map(\.name)
    }

    /// A rotation member, matched by user ID (never by display name) or through `people:`.
    static func isMember(_ member: UserRef, _ user: UserRef, policy: Policy) -> Bool {
        member.isSamePerson(as: user) || policy.isSamePerson(member, user)
    }

    /// Whether one of `whom`'s own shifts (whoever covers it) overlaps `[from, until)`.
    static func hasShift(_ whom: UserRef, in schedule: OncallSchedule, from: Date, until: Date, policy: Policy) -> Bool {
        var at = from
        // A 30-day window holds at most 720 one-hour shifts; the bound guards a degenerate rotation.
        for _ in 0..<2_000 {
            guard at < until, let shift = schedule.shift(at: at) else { return false }
            if isMember(shift.member, whom, policy: policy) { return true }
            guard shift.end > at else { return false }
            at = shift.end
        }
        return false
    }

    // MARK: - approve and cancel

    /// The override `id` if a lead may approve it now; refusals say why not.
    public static func approvable(_ found: StoredOncallOverride?, id: Int64, context: CommandContext) throws(UserError)
        -> StoredOncallOverride
    {
        let text = IncidentText(policy: context.policy, now: context.now)
        guard context.policy.has(context.actor, .lead) else {
            throw UserError(Authorization.roleRefusal([.lead], doing: "approve an on-call override"), usage: approveUsage)
        }
        guard let found else {
            throw UserError("There is no override \(id). `/incident oncall overrides` lists them.", usage: approveUsage)
        }
        if let at = found.cancelledAt {
            throw UserError(
                "Override \(id) was cancelled by @\(found.cancelledBy?.name ?? "?") at \(text.time(at)); there is nothing to approve.")
        }
        if let at = found.approvedAt {
            throw UserError("Override \(id) is already in force: approved by @\(found.approvedBy?.name ?? "?") at \(text.time(at)).")
        }
        guard found.until > context.now else {
            throw UserError("Override \(id) ended at \(text.time(found.until)); there is nothing to approve.")
        }
        return found
    }

    /// The override `id` if the actor may cancel it now: its maker, or a lead.
    public static func cancellable(_ found: StoredOncallOverride?, id: Int64, context: CommandContext) throws(UserError)
        -> StoredOncallOverride
    {
        let text = IncidentText(policy: context.policy, now: context.now)
        guard let found else { throw UserError("There is no override \(id). `/incident oncall overrides` lists them.", usage: cancelUsage) }
        guard isActor(found.createdBy, context: context) || context.policy.has(context.actor, .lead) else {
            throw UserError(
                "Only @\(found.createdBy.name), who made override \(id), or someone with the `lead` role may cancel it.", usage: cancelUsage
            )
        }
        if let at = found.cancelledAt {
            throw UserError("Override \(id) was already cancelled by @\(found.cancelledBy?.name ?? "?") at \(text.time(at)).")
        }
        guard found.until > context.now else {
            throw UserError("Override \(id) ended at \(text.time(found.until)); there is nothing to cancel.")
        }
        return found
    }
}
