import Testing
import VigilConfig
import VigilCore

/// `incident_channels:`: rules decode into the core's room policy, and each mistake (an unknown
/// severity, a platform Vigil cannot make channels on, a rule without a condition) is reported.
@Suite("vigil.yaml: incident channels")
struct RoomConfigTests {
    typealias Reach = ReachConfigTests

    @Test func rulesDecodeInOrderWithTheirPlatformAndDelay() throws {
        let configuration = try Reach.decode(
            """
            slack: {signing_secret: s3cret, bot_token: xoxb-1}
            mattermost: {token: t0ken, bot_token: mm-bot, url: "https://chat.example.com", team_id: team1}
            incident_channels:
              - {when: {restricted: true}, visibility: private}
              - {when: {severity: [sev1, sev2], category: fraud}, visibility: public, archive_after: 12h, platform: mattermost}
              - {when: {type: tco}, visibility: private}
            """)
        let rooms = configuration.policy.rooms
        #expect(rooms.defaultPlatform == "slack")
        #expect(
            rooms.rules == [
                RoomRule(when: .init(restricted: true), visibility: .private),
                RoomRule(
                    when: .init(severities: ["sev1", "sev2"], categories: ["fraud"]), visibility: .public, platform: "mattermost",
                    archiveAfter: .seconds(12 * 3600)),
                RoomRule(when: .init(types: ["tco"]), visibility: .private),
            ])
        #expect(configuration.reach.mattermost?.teamID == "team1")
        #expect(configuration.reach.roomPlatforms == ["slack", "mattermost"])
    }

    @Test func eachMistakeIsNamed() throws {
        let noPlatform = Reach.diagnostics(
            """
            incident_channels:
              - {when: {severity: sev1}, visibility: public}
            """)
        #expect(noPlatform?.contains { $0.contains("needs a platform Vigil can make channels on") } == true)

        let mistakes = Reach.diagnostics(
            """
            slack: {signing_secret: s3cret, bot_token: xoxb-1}
            mattermost: {token: t0ken, bot_token: mm-bot, url: "https://chat.example.com"}
            incident_channels:
              - {when: {severity: sev9}, visibility: public}
              - {when: {severity: sev1}, visibility: secret}
              - {when: {severity: sev1}, visibility: public, platform: mattermost}
              - {when: {severity: sev1}, visibility: public, platform: discord}
              - {when: {}, visibility: public}
              - {visibility: public}
            """)
        let text = mistakes?.joined(separator: "\n") ?? ""
        #expect(text.contains("\"sev9\", which is not a severity"))
        #expect(text.contains("visibility must be"))
        #expect(text.contains("mattermost, which needs mattermost.bot_token, url and team_id"))
        #expect(text.contains("must be slack or mattermost"))
        #expect(text.contains("is empty"))
        #expect(text.contains("needs when"))
    }
}
