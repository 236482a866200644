/// Who may run what, and who may see or touch which incident. Pure: every command, mutation or
/// view passes through ``authorize(_:incident:context:)`` before it reads or changes anything.
///
/// Two rules:
/// 1. The command's spec names the roles that may run it (`role:` in `commands/*.yaml`); the
///    actor must hold one of them (``RoleAssignments``). Roles are held by identity
///    (`slack:U0AVA`), through any account linked in `people:`, never by display name.
/// 2. A restricted incident (child safety) may be read or acted on only by people with the
///    `restricted` role. Anyone else gets ``unavailable(_:context:usage:)``: the same words as for
///    an incident that does not exist, so the refusal reveals nothing, not even that it exists.
///    Opening one stays open to every responder: an urgent report is never refused.
public enum Authorization {
    /// Refuses `command` unless the actor holds its role and, for an existing restricted
    /// `incident`, is cleared for restricted incidents.
    public static func authorize(_ command: ParsedCommand, incident: Incident?, context: CommandContext) throws(UserError) {
        if context.isPagerAcknowledgement {
            // Acknowledged in PagerDuty: the signed webhook vouches for someone PagerDuty paged
            // about this incident. It may acknowledge, and nothing else; it reads nothing.
            guard command.subcommand == .ack else { throw UserError("A pager service may only acknowledge an incident.") }
            return
        }
        if context.isIntake, !intakeMay(command.subcommand) { throw intakeRefusal }
        try requireRole(command.spec, context: context)
        if let incident, !mayAccess(incident, context: context) {
            throw unavailable(incident.number, context: context, usage: command.spec.usage)
        }
    }

    /// Refuses unless the actor holds one of the roles `spec` names.
    public static func requireRole(_ spec: CommandSpec, context: CommandContext) throws(UserError) {
        if context.isPagerAcknowledgement, spec.name == Subcommand.ack.rawValue { return }
        if context.isIntake {
            // The signed endpoint vouches for the tool, not for a person holding a role.
            guard let subcommand = Subcommand(rawValue: spec.name), intakeMay(subcommand) else { throw intakeRefusal }
            return
        }
        guard !context.policy.roles.hasAny(context.actor, spec.roles, people: context.policy.people) else { return }
        throw UserError(roleRefusal(spec.roles, doing: "run `\(spec.name)`"))
    }

    /// What an intake identity (`intake:zendesk`) may do: open a case, add a later report of it
    /// as a note, and reopen it when config says a report after a resolve does. Nothing else,
    /// and it reads nothing.
    public static func intakeMay(_ subcommand: Subcommand) -> Bool {
        [.open, .note, .reopen].contains(subcommand)
    }

    static let intakeRefusal = UserError("An intake endpoint may only open an incident, note a report on it, or reopen it.")

    /// Whether the actor may read and act on `incident`: always, unless it is restricted and
    /// they are not cleared.
    public static func mayAccess(_ incident: Incident, context: CommandContext) -> Bool {
        !incident.restricted || context.policy.mayReadRestricted(context.actor)
    }

    /// Whether a reply to the actor may show `incident`'s restricted details (its title, refs,
    /// notes, resolution, step reasons and evidence): only if the actor may access it *and* the
    /// reply reaches them alone. On a platform without private replies (Teams) a cleared actor
    /// still reads and acts on the incident, but a reply shows the thread no more than the
    /// channel posts do.
    public static func mayShowInReply(_ incident: Incident, context: CommandContext) -> Bool {
        !incident.restricted || (context.repliesArePrivate && context.policy.mayReadRestricted(context.actor))
    }

    /// The one refusal for an incident that does not exist *or* that the actor may not see.
    /// Identical in both cases, so that guessing numbers reveals nothing.
    public static func unavailable(_ number: Int?, context: CommandContext, usage: String? = nil) -> UserError {
        let id = number.map { context.policy.displayID($0) } ?? "that incident"
        return UserError(
            "There is no incident \(id) that you may see: it does not exist, or only people with the `restricted` role may see it. `/incident list all` shows the ones you may see.",
            usage: usage)
    }

    /// `Only people with the `lead` or `legal` role may waive a legal clock; …`.
    public static func roleRefusal(_ roles: [Role], doing action: String) -> String {
        let named = roles.map { "`\($0.rawValue)`" }
        let list: String
        switch named.count {
        case 0, 1: list = named.first ?? "`responder`"
        default: list = named.dropLast().joined(separator: ", ") + " or " + named.last!
        }
        return "Only people with the \(list) role may \(action). Ask someone who has it, or your Vigil operator (config `roles:`)."
    }
}
