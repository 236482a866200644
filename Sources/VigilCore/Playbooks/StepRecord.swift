import Foundation

/// How far one playbook step has got.
public enum StepStatus: String, Sendable, Hashable, Codable {
    /// Done and, if it needs one, approved.
    case done
    /// Marked done, waiting for a second person's approval.
    case awaitingApproval = "awaiting_approval"
    /// Skipped, with a reason.
    case skipped
}

/// The record of one step's completion, skip or approval: who, when, with which evidence.
public struct StepRecord: Sendable, Hashable {
    public var step: String
    /// The playbook the step belongs to; `nil` in records written before an incident could have
    /// several, which belong to its primary playbook.
    public var playbook: String?
    public var status: StepStatus
    public var by: UserRef
    public var at: Date
    public var evidence: [String: String]
    public var reason: String?
    public var approvedBy: UserRef?
    public var approvedAt: Date?

    public init(
        step: String, playbook: String? = nil, status: StepStatus, by: UserRef, at: Date, evidence: [String: String] = [:],
        reason: String? = nil, approvedBy: UserRef? = nil, approvedAt: Date? = nil
    ) {
        self.step = step
        self.playbook = playbook
        self.status = status
        self.by = by
        self.at = at
        self.evidence = evidence
        self.reason = reason
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
    }

    /// When the step was settled: approved (a two-person step), or done or skipped; `nil` while
    /// it waits for approval.
    public var settledAt: Date? {
        switch status {
        case .done: approvedAt ?? at
        case .skipped: at
        case .awaitingApproval: nil
        }
    }
}
