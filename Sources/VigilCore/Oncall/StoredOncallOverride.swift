import Foundation

/// An on-call override made from chat (`/incident oncall cover …`), as the store keeps it: who
/// covers whom, on which rotations, when, and the audit trail of who made, approved and
/// cancelled it. Unlike the `overrides:` of config, these change without a deploy, so they live
/// in the store and every replica reads the same ones.
public struct StoredOncallOverride: Sendable, Hashable {
    /// The number people type (`oncall cancel 3`).
    public var id: Int64
    /// The rotations it applies to, resolved when it was made (so a later config change that
    /// puts the covered person in another rotation does not widen it).
    public var schedules: [String]
    /// Who is on call instead.
    public var who: UserRef
    /// Whose shifts they cover.
    public var covers: UserRef
    public var from: Date
    public var until: Date
    public var createdBy: UserRef
    public var createdAt: Date
    /// Set at creation when no approval is needed (or a lead made it), else by `oncall approve`.
    public var approvedBy: UserRef?
    public var approvedAt: Date?
    public var cancelledBy: UserRef?
    public var cancelledAt: Date?

    public init(
        id: Int64, schedules: [String], who: UserRef, covers: UserRef, from: Date, until: Date, createdBy: UserRef, createdAt: Date,
        approvedBy: UserRef? = nil, approvedAt: Date? = nil, cancelledBy: UserRef? = nil, cancelledAt: Date? = nil
    ) {
        self.id = id
        self.schedules = schedules
        self.who = who
        self.covers = covers
        self.from = from
        self.until = until
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
        self.cancelledBy = cancelledBy
        self.cancelledAt = cancelledAt
    }

    /// Approved and not cancelled: it changes who is on call during `[from, until)`.
    public var isInForce: Bool { approvedAt != nil && cancelledAt == nil }

    /// Waiting for a lead's `oncall approve`; it changes nothing until then.
    public var isPending: Bool { approvedAt == nil && cancelledAt == nil }
}

/// An override about to be recorded: everything but the id the store gives it.
public struct NewOncallOverride: Sendable, Hashable {
    public var schedules: [String]
    public var who: UserRef
    public var covers: UserRef
    public var from: Date
    public var until: Date
    public var createdBy: UserRef
    public var createdAt: Date
    /// Whether it applies at once (no approval needed, or a lead made it): then it is recorded
    /// as approved by its maker at its creation.
    public var approved: Bool
    /// The chat request that made it: a repeat of the request finds the override it made and
    /// records no second one.
    public var requestID: String?

    public init(
        schedules: [String], who: UserRef, covers: UserRef, from: Date, until: Date, createdBy: UserRef, createdAt: Date, approved: Bool,
        requestID: String? = nil
    ) {
        self.schedules = schedules
        self.who = who
        self.covers = covers
        self.from = from
        self.until = until
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.approved = approved
        self.requestID = requestID
    }
}

/// Config `oncall_overrides: {approval: …}`: whether overrides made from chat need a lead.
public enum OncallOverrideApproval: String, Sendable, CaseIterable {
    /// Every override applies as soon as it is made (the default).
    case none
    /// An override by someone without the `lead` role waits for a lead's `oncall approve`; a
    /// lead's own applies at once.
    case lead
}

extension Policy {
    /// This policy with the overrides in force added to the rotations they name: the one place
    /// chat overrides meet the rotation maths, so the `oncall` view, escalation mentions, "Act
    /// now" lines and step owners resolved through schedules all see the same people.
    ///
    /// Pending and cancelled overrides change nothing. They are added after the config's own, in
    /// id order, so of overlapping ones the one starting latest wins, and on a tie the newest
    /// (``OncallSchedule/shift(at:)``).
    public func applying(_ overrides: [StoredOncallOverride]) -> Policy {
        let inForce = overrides.filter(\.isInForce).sorted { $0.id < $1.id }
        guard !inForce.isEmpty else { return self }
        var policy = self
        for index in policy.oncall.indices {
            let name = policy.oncall[index].name
            for override in inForce where override.schedules.contains(name) {
                policy.oncall[index].overrides.append(
                    OncallOverride(who: override.who, covers: override.covers, from: override.from, until: override.until))
            }
        }
        return policy
    }
}
