import Foundation
import Testing
import VigilCore
import VigilServer
import VigilTestSupport

/// Local mode is a whole demo: on-call, escalation, warnings and repeats, and the local user
/// cleared for restricted incidents, with no config file.
@Suite struct LocalModeDemoTests {
    @Test func theLocalUserIsOnCallClearedAndOwnsEveryStep() throws {
        let you = SlashCommandClient.user(from: "riley").on("slack")
        let policy = LocalMode.demoPolicy(localUser: you)
        #expect(policy.mayReadRestricted(you))
        #expect(policy.has(you, .lead) && policy.has(you, .legal))
        #expect(!policy.mayReadRestricted(SlashCommandClient.user(from: "ben").on("slack")))
        #expect(policy.schedule(named: "local")?.shift(at: Fixtures.t0)?.person == you)
        #expect(policy.escalationLevels.count == 3)
        #expect(policy.escalationLevels[1].after == .seconds(15 * 60))
        #expect(policy.severities.allSatisfy { $0.warn == [0.5, 0.9] && $0.repeat != nil })
        let incident = Incident(number: 1, title: "x", severity: "sev1", category: "fraud", reporter: you, platform: "slack", channel: "c", openedAt: Fixtures.t0, knownAt: Fixtures.t0)
        let owners = StepOwners(policy: policy, now: Fixtures.t0)
        for owner in Playbook.builtInRoles {
            #expect(owners.people(owner, for: incident) == [you], "owner \(owner)")
        }
    }

    @Test func localModeServesTheDemoPolicyForUSER() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-local-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let setup = try ServeSetup.resolve(
            configPath: nil, listen: nil, database: nil, workingDirectory: directory.path, environment: ["USER": "riley"])
        #expect(setup.isLocalMode)
        #expect(setup.configuration.policy.mayReadRestricted(UserRef(id: "URILEY", name: "riley", platform: "slack")))
        #expect(!setup.playbooks.isEmpty)
    }
}
