/// The buttons a message about an incident carries, as the incident's state allows them. Each
/// runs the command a responder would type, naming the incident by ID, so a button says no more
/// than the ID, whatever the incident is.
public enum IncidentActions {
    /// At most this many open steps get their own buttons on one message; the rest are reached
    /// through Show step or `/incident step`.
    public static let stepLimit = 3

    /// Ack while the incident is open (unacknowledged), Escalate while it is below the top level
    /// and not resolved, Resolve until it is resolved (asking for the resolution where a
    /// platform can).
    public static func lifecycle(_ incident: Incident, policy: Policy) -> [MessageAction] {
        guard incident.state != .resolved else { return [] }
        let id = policy.displayID(incident.number)
        var actions: [MessageAction] = []
        if incident.state == .open {
            actions.append(MessageAction(name: "ack", label: "Ack", command: "ack \(id)", style: .primary))
        }
        if incident.level < policy.escalationLevels.count {
            actions.append(MessageAction(name: "escalate", label: "Escalate", command: "escalate \(id)", style: .danger))
        }
        actions.append(
            MessageAction(name: "resolve", label: "Resolve", command: "resolve \(id)", style: .danger, asks: "How was \(id) resolved?"))
        return actions
    }

    /// Step done (or Approve, for a step waiting for its second person) and Show step for the
    /// steps open now, first ones first. The labels name the step by its reference only when
    /// several are open. Meant for views that may show the steps: never a restricted
    /// incident's channel post.
    public static func steps(_ progresses: [PlaybookProgress], incident: Incident, policy: Policy) -> [MessageAction] {
        guard incident.state != .resolved else { return [] }
        let id = policy.displayID(incident.number)
        let open = progresses.flatMap { progress in progress.openSteps.map { (progress, $0) } }
        var actions: [MessageAction] = []
        for (index, (progress, step)) in open.prefix(stepLimit).enumerated() {
            let reference = progress.reference(step)
            let suffix = open.count == 1 ? "" : ": " + String(reference.prefix(60))
            if progress.status(of: step.id) == .awaitingApproval {
                actions.append(
                    MessageAction(name: "step-approve-\(index)", label: "Approve step" + suffix, command: "step \(id) approve \(reference)")
                )
            } else {
                actions.append(
                    MessageAction(
                        name: "step-done-\(index)", label: "Step done" + suffix, command: "step \(id) done \(reference)", style: .primary))
            }
            actions.append(MessageAction(name: "step-show-\(index)", label: "Show step" + suffix, command: "step \(id) show \(reference)"))
        }
        return actions
    }
}
