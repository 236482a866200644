import Foundation

/// What an intake case does, decided purely: open an incident exactly as `/incident open`
/// would (the same checks, the same clocks from `known_at`), or join the incident its dedup key
/// already names with a note, reopening it first when it was resolved and config says so.
///
/// The actor is the case's intake identity (`intake:zendesk`), which may open, note and reopen
/// and nothing else (``Authorization/intakeMay(_:)``); it is never cleared for restricted
/// incidents, so a restricted case's title reaches no channel.
public enum Intake {
    /// Checks `intake` against the policy and the installed playbooks: a refusal names the
    /// field at fault. The plan waits for the incident's number.
    public static func planOpen(_ intake: IntakeCase, context: CommandContext) throws(IntakeError) -> OpenPlan {
        let (word, severity) = try checked(intake, context: context)
        let title = TextRules.oneLine(intake.title)
        do {
            return try Lifecycle.plan(
                title: title, severity: severity, word: word,
                knownAt: { () throws(UserError) in
                    try Lifecycle.checkedKnownAt(intake.knownAt, named: intake.knownAtField, context: context, usage: nil)
                },
                refs: intake.refs, playbookID: nil, source: (intake.origin, intake.originWithoutReference), context: context, usage: nil)
        } catch {
            // The fields were checked above; what is left to refuse is the title or the time.
            let field = error.message.hasPrefix(intake.knownAtField) ? intake.knownAtField : "title"
            throw IntakeError(field: field, error.message)
        }
    }

    /// A later report of the case `incident` holds: a note saying where it came from, after a
    /// reopen when `incident` is resolved (the caller opens a new incident instead when config
    /// says `after_resolve: new`).
    public static func join(
        _ intake: IntakeCase, incident: Incident, clocks: [ClockRow], context: CommandContext
    ) throws(IntakeError) -> Outcome {
        _ = try checked(intake, context: context)
        var draft = IncidentDraft(incident: incident, existingClocks: clocks, context: context)
        do {
            if incident.state == .resolved { try draft.reopen(reason: "a new report from \(intake.originWithoutReference)") }
            try draft.note(noteText(intake, context: context))
        } catch {
            throw IntakeError(field: "title", error.message)
        }
        return draft.outcome
    }

    /// The type or category word and the severity, checked: unknown ones are refused naming
    /// their field, as the sender wrote it.
    static func checked(_ intake: IntakeCase, context: CommandContext) throws(IntakeError) -> (word: String, severity: String) {
        let policy = context.policy
        guard let word = intake.kind?.trimmingCharacters(in: .whitespaces), !word.isEmpty else {
            throw IntakeError(field: "type", "The case needs a type or a category (\(known(context))).")
        }
        if context.catalog.playbook(forType: word) == nil, policy.category(named: word) == nil {
            throw IntakeError(field: intake.kindField, "Unknown \(intake.kindField) “\(word)”; known: \(known(context)).")
        }
        guard let severityWord = intake.severity?.trimmingCharacters(in: .whitespaces), !severityWord.isEmpty else {
            throw IntakeError(field: "severity", "The case needs a severity (\(policy.severities.map(\.name).joined(separator: ", "))).")
        }
        guard let severity = policy.severity(named: severityWord) else {
            throw IntakeError(
                field: "severity", "Unknown severity “\(severityWord)”; known: \(policy.severities.map(\.name).joined(separator: ", ")).")
        }
        if let problem = TextRules.problem(in: intake.title) { throw IntakeError(field: "title", problem) }
        do {
            _ = try TextRules.freeText(intake.title, argument: "title", usage: nil)
        } catch {
            throw IntakeError(field: "title", error.message)
        }
        for ref in intake.refs where !TextRules.isRef(ref) {
            throw IntakeError(field: "refs", TextRules.refError(ref, usage: nil).message)
        }
        guard intake.refs.count <= TextRules.maximumRepeats else {
            throw IntakeError(field: "refs", "At most \(TextRules.maximumRepeats) refs; this case has \(intake.refs.count).")
        }
        return (word, severity.name)
    }

    /// `Another report from Zendesk ticket 4521: <title>`, within a note's cap.
    static func noteText(_ intake: IntakeCase, context: CommandContext) -> String {
        var text = "Another report from \(intake.origin): \(TextRules.oneLine(intake.title))"
        if !intake.refs.isEmpty { text += " (refs \(intake.refs.joined(separator: ", ")))" }
        if let knownAt = intake.knownAt { text += "; known at the source \(context.text.time(knownAt))" }
        return text.count > 3000 ? String(text.prefix(2999)) + "…" : text
    }

    /// `categories fraud, moderation; types csam, tco`.
    private static func known(_ context: CommandContext) -> String {
        let categories = context.policy.categories.map(\.name).joined(separator: ", ")
        let types = context.catalog.typeWords
        return types.isEmpty ? "categories \(categories)" : "categories \(categories); types \(types.joined(separator: ", "))"
    }
}
