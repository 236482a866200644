import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// `oncall cover`, `overrides`, `approve` and `cancel`: the grammar, the rules, and the merge of
/// stored overrides into the rotations.
@Suite("On-call overrides from chat")
struct OncallOverrideTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let lead = UserRef(id: "U0LEAD", name: "lead", platform: "slack")
    static let cas = UserRef(id: "U0CAS", name: "cas", platform: "slack")

    /// Daily shifts from Mon 30 Nov 09:00 Berlin: ava, ben (Tue 1 Dec), cas (Wed 2 Dec), ava, …
    static func policy(approval: OncallOverrideApproval = .none) -> Policy {
        var policy = Fixtures.policy
        policy.timeZone = berlin
        policy.roles = RoleAssignments([.lead: [Identity(platform: "slack", id: "U0LEAD")]])
        policy.oncallOverrideApproval = approval
        policy.oncall = [
            OncallSchedule(
                name: "ts-primary",
                members: [UserRef(id: "U0AVA", name: "U0AVA"), UserRef(id: "U0BEN", name: "U0BEN"), UserRef(id: "U0CAS", name: "U0CAS")],
                shift: .seconds(86_400), handoff: DateComponents(year: 2026, month: 11, day: 30, hour: 9, minute: 0), timeZone: berlin),
            OncallSchedule(
                name: "ts-secondary", members: [UserRef(id: "U0EVE", name: "U0EVE")], shift: .seconds(86_400),
                handoff: DateComponents(year: 2026, month: 11, day: 30, hour: 9, minute: 0), timeZone: berlin),
        ]
        return policy
    }

    /// `2026-12-01 09:00` in Berlin.
    static func berlin(_ text: String) -> Date { TimeText.parse(text, in: berlin)! }

    static func context(_ actor: UserRef, policy: Policy = policy(), at now: Date = Fixtures.t0) -> CommandContext {
        CommandContext(policy: policy, now: now, actor: actor, platform: "slack", channel: "ts-oncall")
    }

    static func request(_ text: String, by actor: UserRef = Fixtures.dee, policy: Policy = policy(), at now: Date = Fixtures.t0) throws
        -> OncallRequest
    {
        let parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: policy)
        return try OncallOverrides.request(try parser.parse(text), context: context(actor, policy: policy, at: now), requestID: "slack:T1")
    }

    static let benShift = "2026-12-01 09:00..2026-12-02 09:00"

    // MARK: - Grammar

    @Test("oncall and oncall <schedule> still show the view, also as who")
    func view() throws {
        #expect(try Self.request("oncall") == .show(schedule: nil))
        #expect(try Self.request("oncall ts-primary") == .show(schedule: "ts-primary"))
        #expect(try Self.request("who ts-secondary") == .show(schedule: "ts-secondary"))
    }

    @Test("overrides, approve and cancel take their forms")
    func otherForms() throws {
        #expect(try Self.request("oncall overrides") == .list)
        #expect(try Self.request("oncall approve 3") == .approve(3))
        #expect(try Self.request("oncall approve #12") == .approve(12))
        #expect(try Self.request("oncall cancel 7") == .cancel(7))
    }

    @Test("cover: someone putting themselves on call, times in the team's zone")
    func cover() throws {
        // MUT
        let request = try Self.request("oncall cover <@U0DEE> for <@U0BEN|ben> \(Self.benShift)")
        // validate
        let expected = NewOncallOverride(
            schedules: ["ts-primary"], who: UserRef(id: "U0DEE", name: "U0DEE", platform: "slack"), covers: Fixtures.ben,
            from: Self.berlin("2026-12-01 09:00"), until: Self.berlin("2026-12-02 09:00"), createdBy: Fixtures.dee, createdAt: Fixtures.t0,
            approved: true, requestID: "slack:T1")
        guard case let .cover(new) = request else { Issue.record("not a cover: \(request)"); return }
        #expect(new == expected)
        #expect(new.who.platform == "slack" && new.covers.storedID == "slack:U0BEN")
    }

    @Test("cover: from now, a zone of its own, and in <schedule>")
    func coverForms() throws {
        let now = Self.berlin("2026-12-01 10:00")
        let request = try Self.request("oncall cover <@U0DEE> for <@U0BEN> now..2026-12-01 17:00 UTC in ts-primary", at: now)
        guard case let .cover(new) = request else { Issue.record("not a cover: \(request)"); return }
        #expect(new.from == now)
        #expect(new.until == TimeText.parse("2026-12-01 17:00", in: TimeZone(identifier: "UTC")!))
        #expect(new.schedules == ["ts-primary"])
    }

    @Test("a lead may set anyone to cover; a lead's override applies at once even with approval")
    func leadSetsAnyone() throws {
        let request = try Self.request(
            "oncall cover <@U0DEE> for <@U0BEN> \(Self.benShift)", by: Self.lead, policy: Self.policy(approval: .lead))
        guard case let .cover(new) = request else { Issue.record("not a cover: \(request)"); return }
        #expect(new.approved && new.createdBy == Self.lead)
    }

    @Test("with approval: lead, a responder's own override is recorded as pending")
    func pendingWithApproval() throws {
        let request = try Self.request("oncall cover <@U0DEE> for <@U0BEN> \(Self.benShift)", policy: Self.policy(approval: .lead))
        guard case let .cover(new) = request else { Issue.record("not a cover: \(request)"); return }
        #expect(!new.approved)
    }

    @Test(
        "bad input gets a specific error with the usage",
        arguments: [
            ("oncall cover", "Say who covers whom"),
            ("oncall cover <@U0DEE> to <@U0BEN> 2026-12-01 09:00..2026-12-02 09:00", "Say who covers whom"),
            ("oncall cover @dee for <@U0BEN> 2026-12-01 09:00..2026-12-02 09:00", "is a typed name, not a mention"),
            ("oncall cover <@U0DEE> for ben 2026-12-01 09:00..2026-12-02 09:00", "“ben” is not a person"),
            ("oncall cover <@U0DEE> for <@U0BEN> 2026-12-01 09:00", "Give the time as FROM..UNTIL"),
            ("oncall cover <@U0DEE> for <@U0BEN> 2026-12-01 9am..2026-12-02 09:00", "The start “2026-12-01 9am” is not a time"),
            ("oncall cover <@U0DEE> for <@U0BEN> 2026-12-01 09:00..tomorrow", "The end “tomorrow” is not a time"),
            ("oncall cover <@U0DEE> for <@U0BEN> 2026-12-02 09:00..2026-12-01 09:00", "must come after the start"),
            ("oncall cover <@U0DEE> for <@U0BEN> 2026-11-01 09:00..2026-11-02 09:00", "an override must reach into the future"),
            ("oncall cover <@U0DEE> for <@U0BEN> 2026-12-01 09:00..2027-01-05 09:00", "An override may last at most 30 days"),
            ("oncall cover <@U0DEE> for <@U0BEN> 2027-12-01 09:00..2027-12-02 09:00", "at most a year ahead"),
            ("oncall cover <@U0DEE> for <@U0DEE> 2026-12-01 09:00..2026-12-02 09:00", "cannot cover for themselves"),
            (
                "oncall cover <@U0DEE> for <@U0ZED> 2026-12-01 09:00..2026-12-02 09:00",
                "is not a member of any on-call schedule: ts-primary (@U0AVA, @U0BEN, @U0CAS); ts-secondary (@U0EVE)"
            ),
            (
                "oncall cover <@U0DEE> for <@U0BEN> 2026-12-01 09:00..2026-12-02 09:00 in ts-secondary",
                "is not a member of on-call schedule ts-secondary"
            ),
            ("oncall cover <@U0DEE> for <@U0BEN> 2026-12-02 10:00..2026-12-03 08:00", "has no shift between those times in ts-primary"),
            (
                "oncall cover <@U0DEE> for <@U0BEN> 2026-12-01 09:00..2026-12-02 09:00 in ts-primry",
                "There is no on-call schedule “ts-primry”. Did you mean ts-primary?"
            ),
            (
                "oncall cover <@U0AVA> for <@U0BEN> 2026-12-01 09:00..2026-12-02 09:00",
                "only people with the `lead` role may set someone else"
            ),
            ("oncall approve", "Name the override by its number"),
            ("oncall cancel x", "“x” is not an override number"),
            ("oncall approve 1 2", "Name one override"),
            ("oncall overrides now", "`oncall overrides` takes nothing after it"),
            ("oncall ts-primary extra", "“extra” is extra"),
        ])
    func errors(text: String, expected: String) throws {
        let error = #expect(throws: UserError.self) { try Self.request(text) }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
        #expect(error?.usage?.hasPrefix("oncall") == true)
    }

    // MARK: - Approve and cancel

    static func stored(_ id: Int64 = 3, by maker: UserRef = Fixtures.dee, approved: Bool = false, cancelled: Bool = false)
        -> StoredOncallOverride
    {
        StoredOncallOverride(
            id: id, schedules: ["ts-primary"], who: Fixtures.dee, covers: Fixtures.ben, from: berlin("2026-12-01 09:00"),
            until: berlin("2026-12-02 09:00"), createdBy: maker, createdAt: Fixtures.t0, approvedBy: approved ? lead : nil,
            approvedAt: approved ? Fixtures.t0 : nil, cancelledBy: cancelled ? maker : nil, cancelledAt: cancelled ? Fixtures.t0 : nil)
    }

    @Test("only a lead approves, and only a pending override that has not ended")
    func approve() throws {
        let leadContext = Self.context(Self.lead, policy: Self.policy(approval: .lead))
        #expect(try OncallOverrides.approvable(Self.stored(), id: 3, context: leadContext) == Self.stored())
        let notLead = #expect(throws: UserError.self) {
            try OncallOverrides.approvable(Self.stored(), id: 3, context: Self.context(Fixtures.ava))
        }
        #expect(notLead?.message.contains("Only people with the `lead` role may approve an on-call override") == true)
        let missing = #expect(throws: UserError.self) { try OncallOverrides.approvable(nil, id: 9, context: leadContext) }
        #expect(missing?.message == "There is no override 9. `/incident oncall overrides` lists them.")
        let again = #expect(throws: UserError.self) {
            try OncallOverrides.approvable(Self.stored(approved: true), id: 3, context: leadContext)
        }
        #expect(again?.message.contains("already in force: approved by @lead") == true)
        let gone = #expect(throws: UserError.self) {
            try OncallOverrides.approvable(Self.stored(cancelled: true), id: 3, context: leadContext)
        }
        #expect(gone?.message.contains("was cancelled by @dee") == true)
        let late = Self.context(Self.lead, at: Self.berlin("2026-12-03 09:00"))
        let ended = #expect(throws: UserError.self) { try OncallOverrides.approvable(Self.stored(), id: 3, context: late) }
        #expect(ended?.message.contains("ended at") == true)
    }

    @Test("its maker or a lead cancels; anyone else is refused")
    func cancel() throws {
        #expect(try OncallOverrides.cancellable(Self.stored(), id: 3, context: Self.context(Fixtures.dee)).id == 3)
        #expect(try OncallOverrides.cancellable(Self.stored(), id: 3, context: Self.context(Self.lead)).id == 3)
        let other = #expect(throws: UserError.self) {
            try OncallOverrides.cancellable(Self.stored(), id: 3, context: Self.context(Fixtures.ben))
        }
        #expect(other?.message == "Only @dee, who made override 3, or someone with the `lead` role may cancel it.")
        let twice = #expect(throws: UserError.self) {
            try OncallOverrides.cancellable(Self.stored(cancelled: true), id: 3, context: Self.context(Fixtures.dee))
        }
        #expect(twice?.message.contains("was already cancelled by @dee") == true)
    }

    // MARK: - The merge

    static func window(_ override: StoredOncallOverride, from: String, until: String) -> StoredOncallOverride {
        var override = override
        override.from = berlin(from)
        override.until = berlin(until)
        return override
    }

    @Test("an override in force changes who is on call in its window and only there")
    func mergeInForce() throws {
        // setup: dee covers ben on Tue 1 Dec from 12:00 to 18:00
        let override = Self.window(Self.stored(approved: true), from: "2026-12-01 12:00", until: "2026-12-01 18:00")
        // MUT
        let policy = Self.policy().applying([override])
        // validate
        let schedule = try #require(policy.schedule(named: "ts-primary"))
        #expect(schedule.shift(at: Self.berlin("2026-12-01 10:00"))?.person.id == "U0BEN")
        #expect(schedule.shift(at: Self.berlin("2026-12-01 13:00"))?.person == Fixtures.dee)
        #expect(schedule.shift(at: Self.berlin("2026-12-01 13:00"))?.member.id == "U0BEN")
        #expect(schedule.shift(at: Self.berlin("2026-12-01 18:00"))?.person.id == "U0BEN")
        #expect(schedule.shift(at: Self.berlin("2026-12-02 13:00"))?.person.id == "U0CAS")
        #expect(policy.schedule(named: "ts-secondary")?.overrides.isEmpty == true)
    }

    @Test("pending and cancelled overrides have no effect", arguments: [false, true])
    func mergeNoEffect(cancelled: Bool) throws {
        let override = Self.stored(approved: cancelled, cancelled: cancelled)
        let policy = Self.policy().applying([override])
        #expect(policy.schedule(named: "ts-primary")?.overrides.isEmpty == true)
        #expect(policy.schedule(named: "ts-primary")?.shift(at: Self.berlin("2026-12-01 13:00"))?.person.id == "U0BEN")
    }

    @Test("the oncall view names the cover, and the escalation level reaches them")
    func viewNamesTheCover() throws {
        // setup
        var base = Self.policy()
        base.escalationLevels = [EscalationLevel(name: "responders", notify: [.schedule("ts-primary")])]
        let policy = base.applying([Self.stored(approved: true)])
        let context = Self.context(Fixtures.ava, policy: policy, at: Self.berlin("2026-12-01 13:00"))
        // MUT
        let text = OncallView.reply(schedule: nil, context: context).message.plainText
        // validate
        #expect(text.contains("ts-primary: now @dee until"), "\(text)")
        #expect(text.contains("(covering @U0BEN)"), "\(text)")
        #expect(text.contains("1. responders → ts-primary (@dee)"), "\(text)")
    }

    // MARK: - Replies

    @Test("the creation reply says who covers whom, where, when, in which zone, its number and its maker")
    func createdReply() {
        let context = Self.context(Self.lead)
        var override = Self.stored(by: Self.lead, approved: true)
        override.from = Self.berlin("2026-12-03 09:00")
        override.until = Self.berlin("2026-12-04 09:00")
        let reply = OncallOverridesView.created(override, context: context)
        #expect(reply.visibility == .inChannel)
        #expect(
            reply.message.plainText
                == "@dee covers @ben in ts-primary from Thu 3 Dec 09:00 to Fri 4 Dec 09:00 (Europe/Berlin) · override 3 · by @lead")
        #expect(reply.message.lines[0].contains(.mention(Fixtures.dee)))
        let pending = OncallOverridesView.created(Self.stored(), context: Self.context(Fixtures.dee)).message.plainText
        #expect(
            pending.hasSuffix("· by @dee · pending: it changes nothing until a lead approves it with /incident oncall approve 3"),
            "\(pending)")
    }

    @Test("the list shows numbers, makers and which are pending")
    func list() {
        let reply = OncallOverridesView.list([Self.stored(approved: true), Self.stored(4)], context: Self.context(Fixtures.ava))
        let text = reply.message.plainText
        #expect(reply.visibility == .ephemeral)
        #expect(
            text.contains("3 · @dee covers @ben in ts-primary from Tue 1 Dec 09:00 to Wed 2 Dec 09:00 · by @dee · approved by @lead"),
            "\(text)")
        #expect(
            text.contains("4 · @dee covers @ben in ts-primary from Tue 1 Dec 09:00 to Wed 2 Dec 09:00 · by @dee · pending approval"),
            "\(text)")
    }
}
