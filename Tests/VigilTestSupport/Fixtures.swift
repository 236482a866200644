import Foundation
import VigilConfig
import VigilCore

/// Shared test fixtures: the shipped command specs, a policy, people and fixed times.
public enum Fixtures {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The specs in `commands/`, as shipped.
    public static func shippedSpecs() throws -> [CommandSpec] {
        try CommandSpecLoader.load(directory: repositoryRoot.appendingPathComponent("commands").path)
    }

    /// The default policy, with Dee (`slack:U0DEE`) in the restricted role and times shown in UTC.
    public static let policy: Policy = {
        var policy = Policy.defaults
        policy.roles = RoleAssignments([.restricted: [Identity(platform: "slack", id: "U0DEE")]])
        policy.timeZone = TimeZone(identifier: "UTC")!
        return policy
    }()

    public static let ava = UserRef(id: "U0AVA", name: "ava", platform: "slack")
    public static let ben = UserRef(id: "U0BEN", name: "ben", platform: "slack")
    public static let dee = UserRef(id: "U0DEE", name: "dee", platform: "slack")

    /// 2026-11-28 21:40:00 UTC.
    public static let t0 = Date(timeIntervalSince1970: 1_795_902_000)

    /// A parser over the shipped specs and ``policy``.
    public static func parser() throws -> CommandParser {
        CommandParser(specs: try shippedSpecs(), policy: policy)
    }

    /// The playbooks in `playbooks/`, as shipped, in file-name order.
    public static func shippedPlaybooks() throws -> [Playbook] {
        try PlaybookLoader.load(
            directory: repositoryRoot.appendingPathComponent("playbooks").path, policy: policy, roles: Playbook.builtInRoles)
    }

    /// A context for `actor` at `now`.
    public static func context(_ actor: UserRef = ava, at now: Date = t0, catalog: PlaybookCatalog = PlaybookCatalog()) -> CommandContext {
        CommandContext(policy: policy, now: now, actor: actor, platform: "slack", channel: "ts-incidents", catalog: catalog)
    }

    /// Applies `text` as `actor` at `now`: `open` with `number`, anything else to `incident`.
    public static func apply(
        _ text: String, to incident: Incident?, by actor: UserRef = ava, at now: Date = t0, number: Int = 1,
        catalog: PlaybookCatalog = PlaybookCatalog(), parser: CommandParser
    ) throws -> Outcome {
        let command = try parser.parse(text)
        let context = context(actor, at: now, catalog: catalog)
        if command.subcommand == .open { return try Lifecycle.planOpen(command, context: context).outcome(number: number) }
        return try Lifecycle.apply(command, to: incident, context: context)
    }
}
