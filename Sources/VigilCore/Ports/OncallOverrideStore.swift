import Foundation

/// The store's role for on-call overrides made from chat (``StoredOncallOverride``): a small
/// table beside the incidents, written one override at a time, each write in its own short
/// transaction, and read once per command or scheduler pass to merge into the policy
/// (``Policy/applying(_:)``). Overrides are not incident events, so they carry their own audit
/// trail: who made, approved or cancelled each one, and when.
public protocol OncallOverrideStore: Sendable {
    /// Records `new` and returns it with its id. When `new.requestID` was already recorded (a
    /// platform's retry of the same request), returns that override and records nothing.
    func recordOncallOverride(_ new: NewOncallOverride) async throws -> StoredOncallOverride

    /// The override numbered `id`, whatever its state.
    func oncallOverride(id: Int64) async throws -> StoredOncallOverride?

    /// Overrides not cancelled whose `until` is after `date` (pending ones included), by `from`
    /// then id: one indexed read, what each command and scheduler pass merges.
    func oncallOverrides(activeAfter date: Date) async throws -> [StoredOncallOverride]

    /// Marks a pending override approved by `by` at `at`; `false` (changing nothing) when it is
    /// not pending any more (approved, or cancelled, meanwhile) or does not exist.
    func approveOncallOverride(id: Int64, by: UserRef, at: Date) async throws -> Bool

    /// Marks an override cancelled by `by` at `at`; `false` (changing nothing) when it was
    /// already cancelled or does not exist.
    func cancelOncallOverride(id: Int64, by: UserRef, at: Date) async throws -> Bool
}
