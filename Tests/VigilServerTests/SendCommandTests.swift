import Foundation
import Testing
import VigilChat
import VigilConfig
import VigilCore
import VigilTestSupport

/// `vigil send` as a new user runs it against a served Vigil: each platform signed as that
/// platform signs, a base URL, and a config whose other sections need variables not set here.
@Suite struct SendCommandTests {
    static let discordSeedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let teamsToken = "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA="

    /// A served Vigil for every platform, and a directory holding a config that names the same
    /// secrets, a `${VAR}` that is not set, and the Discord key file.
    static func setUp() throws -> (TestVigil, URL) {
        let signer = try DiscordRequestSigner(seed: Digits.bytes(hex: discordSeedHex)!)
        let vigil = try TestVigil(
            realTime: true,
            chatPlatforms: [
                .slack(signingSecret: TestVigil.slackSecret), .mattermost(token: TestVigil.mattermostToken),
                .discord(publicKey: signer.publicKey, applicationID: "123456789012345678"),
                .teams(securityToken: Array(Data(base64Encoded: teamsToken)!)),
            ])
        let directory = vigil.directory.appendingPathComponent("client")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let commands = Fixtures.repositoryRoot.appendingPathComponent("commands").path
        try """
        commands: \(commands)
        slack: {signing_secret: \(TestVigil.slackSecret)}
        mattermost: {token: \(TestVigil.mattermostToken)}
        discord: {public_key: \(Digits.hex(signer.publicKey)), application_id: "123456789012345678"}
        teams: {security_token: "\(teamsToken)"}
        channels:
          incidents: ${INCIDENTS_WEBHOOK_NOT_SET_HERE}
        """.write(to: directory.appendingPathComponent("vigil.yaml"), atomically: true, encoding: .utf8)
        try discordSeedHex.write(to: directory.appendingPathComponent("discord.key"), atomically: true, encoding: .utf8)
        return (vigil, directory)
    }

    @Test func eachPlatformSignsAsItselfToABaseURLWithOnlyItsOwnSectionRead() async throws {
        let (vigil, directory) = try Self.setUp()
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            for (index, platform) in ["slack", "mattermost", "discord", "teams"].enumerated() {
                // MUT
                var arguments = ["send", "--platform", platform, "--url", base, "--user", "ava", "open sev2 fraud Sent from \(platform)"]
                if platform == "discord" { arguments.insert(contentsOf: ["--discord-private-key", "discord.key"], at: 1) }
                let result = try await VigilExecutable.run(arguments, in: directory)

                // validate
                #expect(result.status == 0, "\(platform): \(result.stderr)")
                #expect(result.stdout.contains("INC-\(index + 1)"), "\(platform): \(result.stdout)")
                #expect(result.stdout.contains("Sent from \(platform)"), "\(platform): \(result.stdout)")
            }
        }
        for (number, platform) in [(1, "slack"), (2, "mattermost"), (3, "discord"), (4, "teams")] {
            #expect(try await vigil.store.incident(number)?.platform == platform)
        }
    }

    @Test func discordWithoutAPrivateKeySaysWhatItNeeds() async throws {
        let (vigil, directory) = try Self.setUp()
        defer { vigil.cleanUp() }
        let result = try await VigilExecutable.run(["send", "--platform", "discord", "--url", "http://127.0.0.1:9", "help"], in: directory)
        #expect(result.status == 1)
        #expect(result.stderr.contains("--discord-private-key"))
    }

    @Test func anUnservedPlatformsPathSaysWhichSectionIsMissing() async throws {
        let vigil = try TestVigil(realTime: true)
        defer { vigil.cleanUp() }
        let (other, directory) = try Self.setUp()
        defer { other.cleanUp() }
        try await vigil.withLiveClient { client in
            let result = try await VigilExecutable.run(
                ["send", "--platform", "teams", "--url", "http://127.0.0.1:\(try #require(client.port))/", "help"], in: directory)
            #expect(result.status == 1)
            #expect(result.stderr.contains("teams: section"), "\(result.stderr)")
        }
    }
}
