/// A dedup key of an intake case and the incident it opened: written by the unit of work that
/// opened (or took over) the incident, so the key and the incident commit or roll back together.
public struct IntakeKeyWrite: Sendable, Equatable {
    /// `zendesk:4521`, `webhook:<dedup_key>`.
    public var key: String
    public var incident: Int
    /// The incident the key named before (a resolved one, with `after_resolve: new`), or `nil`
    /// for a key seen the first time. The write fails with ``StoreError/Kind/keyTaken`` when the
    /// key no longer names it, or (for a new key) when another delivery recorded it first: the
    /// caller reads the key again and joins instead.
    public var replacing: Int?

    public init(key: String, incident: Int, replacing: Int? = nil) {
        self.key = key
        self.incident = incident
        self.replacing = replacing
    }
}

/// The store's map of intake dedup keys to incidents (`intake_keys`): what makes a second
/// delivery of one case join the first's incident, on any replica, after any restart.
public protocol IntakeKeyStore: Sendable {
    /// The incident `key` names, if any delivery recorded it.
    func intakeIncident(key: String) async throws -> Int?
}
