import Foundation
import VigilConfig
import VigilCore
import VigilJSON
import VigilStore

/// What `vigil audit verify` found: how much it re-computed, and the first break, if any.
public struct AuditVerification: Sendable, Equatable {
    /// Incidents whose chains were re-computed (up to and including the broken one).
    public var incidents: Int
    /// Events re-hashed in those incidents.
    public var events: Int
    /// Where the first broken chain breaks; `nil` when every chain checked verifies.
    public var firstBreak: ChainBreak?

    public init(incidents: Int, events: Int, firstBreak: ChainBreak?) {
        self.incidents = incidents
        self.events = events
        self.firstBreak = firstBreak
    }
}

/// `vigil audit`: re-computes incidents' event hash chains from the store and exports one
/// incident's whole timeline. An operator's and counsel's tool, run where the database is: it
/// reads restricted incidents in full, and never writes.
public struct AuditTrail: Sendable {
    /// What the audit reads: incidents with their events, and the walk over all of them.
    public typealias Store = any IncidentQueries & AuditReads

    let store: Store
    public let policy: Policy
    /// The installed playbooks, which name an incident's type; empty when they cannot be read.
    public let catalog: PlaybookCatalog

    /// Incident numbers read per store call while verifying every chain.
    public static let pageSize = 500

    public init(store: Store, policy: Policy, catalog: PlaybookCatalog = PlaybookCatalog()) {
        self.store = store
        self.policy = policy
        self.catalog = catalog
    }

    /// The audit of the database the config names (`configPath`, or `vigil.yaml` in
    /// `workingDirectory`), or of local mode's `vigil.sqlite` there; `database` overrides either.
    /// The database must exist: an audit never creates one.
    public static func open(
        configPath: String?, database: String?, workingDirectory: String, environment: [String: String]
    ) async throws -> AuditTrail {
        let configuration = try StoreOpener.toolConfiguration(
            configPath: configPath, database: database, workingDirectory: workingDirectory, environment: environment)
        // The playbooks only name an incident's type in an export: a playbooks directory that
        // no longer loads must not keep anyone from checking or exporting the record itself.
        let playbooks =
            (try? PlaybookLoader.load(
                directory: configuration.playbooksDirectory, policy: configuration.policy, roles: configuration.playbookRoles)) ?? []
        let store = try await StoreOpener.open(configuration.database)
        StoreOpener.startIfNeeded(store)
        return AuditTrail(store: store, policy: configuration.policy, catalog: PlaybookCatalog(playbooks))
    }

    /// Closes the store ``open(configPath:database:workingDirectory:environment:)`` opened.
    public func close() async {
        if let store = store as? any IncidentStore { await StoreOpener.close(store) }
    }

    /// The number of the incident `text` names (`INC-7`, `7` or `#7`, as in chat).
    public func incidentNumber(_ text: String) throws(UserError) -> Int {
        guard let number = IncidentReference.parse(text, prefix: policy.idPrefix) else {
            throw UserError("“\(text)” is not an incident ID. Use \(policy.idPrefix)-42, 42 or #42.")
        }
        return number
    }

    /// Re-computes the chain of incident `number`, or of every incident when `nil`, stopping at
    /// the first break. Each incident's row and events are read from one snapshot, so a command
    /// committing meanwhile cannot look like a break. Throws ``UserError`` for an incident that
    /// does not exist.
    public func verify(incident number: Int?) async throws -> AuditVerification {
        var checked = AuditVerification(incidents: 0, events: 0, firstBreak: nil)
        if let number {
            guard let record = try await store.incidentRecord(number) else { throw unknown(number) }
            check(record, into: &checked)
            return checked
        }
        var after = 0
        while true {
            let page = try await store.incidentNumbers(after: after, limit: Self.pageSize)
            for number in page {
                // Incidents are never deleted; one missing between the page and its read is skipped.
                guard let record = try await store.incidentRecord(number) else { continue }
                check(record, into: &checked)
                if checked.firstBreak != nil { return checked }
            }
            guard page.count == Self.pageSize, let last = page.last else { return checked }
            after = last
        }
    }

    private func check(_ record: IncidentRecord, into checked: inout AuditVerification) {
        checked.incidents += 1
        checked.events += record.events.count
        checked.firstBreak = EventChain.firstBreak(in: record.events, incident: record.incident)
    }

    /// The whole timeline of incident `number` as ``AuditExport``'s document, generated at
    /// `now`, serialized (one line and a newline), with where its chain breaks, if it does.
    /// Throws ``UserError`` for an incident that does not exist.
    public func export(incident number: Int, now: Date) async throws -> (json: String, chainBreak: ChainBreak?) {
        guard let record = try await store.incidentRecord(number) else { throw unknown(number) }
        let document = AuditExport.document(record, policy: policy, catalog: catalog, generatedAt: now)
        return (document.serializedString() + "\n", EventChain.firstBreak(in: record.events, incident: record.incident))
    }

    private func unknown(_ number: Int) -> UserError {
        UserError("There is no \(policy.displayID(number)) in this database.")
    }

    /// What `vigil audit verify` prints: one line when every chain verifies; the broken link,
    /// its hashes and what was checked when one does not.
    public func summary(_ verification: AuditVerification, incident number: Int?) -> String {
        let events = Self.counted(verification.events, "event")
        guard let broken = verification.firstBreak else {
            if let number { return "ok: \(policy.displayID(number)): \(events) re-hashed; its chain verifies" }
            return "ok: \(Self.counted(verification.incidents, "incident")) and \(events) re-hashed; every chain verifies"
        }
        return """
            broken: \(policy.displayID(broken.incident)) at event \(broken.sequence)
              reason:        \(broken.explanation)
              expected hash: \(broken.expectedHash)
              found hash:    \(broken.foundHash)
            checked \(Self.counted(verification.incidents, "incident")) and \(events) up to the break
            """
    }

    static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
