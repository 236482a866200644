import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilConfig
import VigilCore
import VigilHTTP
import VigilServer
import VigilTestSupport

/// Incident channels, end to end over real HTTP on loopback against a fake Slack Web API: made
/// private for a restricted incident with only cleared people invited, public for a sev1, used
/// for commands without an ID, moved to a private channel on reclassification, and archived a
/// configured time after resolve.
@Suite(.serialized) struct RoomEndToEndTests {
    static let lou = UserRef(id: "U0LOU", name: "lou", platform: "slack")

    /// Ben is on call (not cleared); Dee and Lou (legal) are cleared for restricted incidents.
    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.escalationLevels = [
            EscalationLevel(name: "responders", notify: [.user(Fixtures.ben)]),
            EscalationLevel(name: "lead", notify: [.user(Fixtures.ava)], after: .seconds(3600)),
        ]
        policy.roles.members[.restricted] = [Identity(platform: "slack", id: "U0DEE"), Identity(platform: "slack", id: "U0LOU")]
        policy.owners = ["legal": [.user(lou)]]
        policy.rooms = RoomPolicy(
            rules: [
                RoomRule(when: .init(restricted: true), visibility: .private),
                RoomRule(when: .init(severities: ["sev1"]), visibility: .public, archiveAfter: .seconds(3 * 86_400)),
            ], defaultPlatform: "slack")
        return policy
    }()

    func vigil(_ slack: FakeSlackWebAPI) throws -> TestVigil {
        try TestVigil(
            channels: [
                .incidents: .chatAPI(platform: "slack", channel: "C0INCIDENTS"), .oncall: .chatAPI(platform: "slack", channel: "C0ONCALL"),
            ],
            transport: CurlHTTPClient(), policy: Self.policy,
            reach: ReachSettings(slack: SlackAPISettings(botToken: "xoxb-test-token", apiURL: slack.baseURL)))
    }

    /// Delivers until nothing is due, stepping past Slack's one-post-a-second pace per channel.
    func deliverAll(_ vigil: TestVigil) async throws {
        for _ in 0..<30 {
            let pass = try await vigil.app.delivery.deliverDue()
            if pass == DeliveryPass() { return }
            if pass.rescheduled > 0 { vigil.clock.advance(by: 1.5) }
        }
    }

    @Test func aRestrictedIncidentGetsAPrivateChannelWithOnlyClearedInviteesAndCommandsThereNeedNoID() async throws {
        let slack = try await FakeSlackWebAPI.start()
        let vigil = try vigil(slack)
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            // Ava (not cleared) reports it; Ben (not cleared) is on call.
            let (status, _) = try await vigil.slack(
                "open sev1 csam Image of a minor reported by a flagger", as: Fixtures.ava, client: client)
            #expect(status == .ok)
        }
        try await deliverAll(vigil)

        let room = try #require(slack.createdChannels.first)
        #expect(slack.createdChannels.count == 1)
        #expect(room.name == "inc-1" && room.isPrivate)
        // Only Lou, cleared and owner of the NCMEC step: not Ava who reported it, not Ben on call.
        #expect(slack.invites[room.id] == ["U0LOU"])
        // The brief (with the title, for cleared eyes) and the pinned steps are in the room.
        let inRoom = slack.messages.filter { $0.channel == room.id }
        #expect(inRoom.count == 2)
        #expect(inRoom.first?.text?.contains("Image of a minor") == true)
        #expect(slack.pins == ["\(room.id)/\(inRoom[1].ts)"])
        // No post outside the room names the title.
        #expect(slack.messages.filter { $0.channel != room.id }.allSatisfy { !($0.text ?? "").contains("Image of a minor") })
        #expect(try await vigil.store.room(platform: "slack", channel: room.id)?.incident == 1)

        // In the room, commands need no ID; a bare number starts a note.
        try await vigil.withClient { client in
            let (_, ack) = try await vigil.slack("ack", as: Fixtures.dee, channel: room.id, client: client)
            #expect(ack.text.contains("INC-1"))
            _ = try await vigil.slack("note 3 accounts shared it", as: Fixtures.dee, channel: room.id, client: client)
        }
        let incident = try #require(try await vigil.store.incident(1))
        #expect(incident.state == .acknowledged && incident.owner?.id == "U0DEE")
        let note = try #require(try await vigil.store.events(of: 1).last)
        #expect(note.kind == .noted && note.payload.values.contains("3 accounts shared it"))
        // Dee, the new owner and cleared, is invited; nobody else.
        try await deliverAll(vigil)
        #expect(slack.invites[room.id] == ["U0LOU", "U0DEE"])
        #expect(slack.createdChannels.count == 1)
        await slack.stop()
    }

    /// Ava opens a sev1 fraud incident; its public channel is made.
    func openedSev1(_ vigil: TestVigil, _ slack: FakeSlackWebAPI) async throws -> FakeSlackWebAPI.CreatedChannel {
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev1 fraud Card testing on payouts", as: Fixtures.ava, client: client)
        }
        try await deliverAll(vigil)
        return try #require(slack.createdChannels.first)
    }

    @Test func aSev1ChannelIsPublicMovesToAPrivateOneWhenRestrictedAndIsArchivedAfterResolve() async throws {
        let slack = try await FakeSlackWebAPI.start()
        let vigil = try vigil(slack)
        defer { vigil.cleanUp() }
        let publicRoom = try await openedSev1(vigil, slack)
        #expect(!publicRoom.isPrivate && publicRoom.name == "inc-1")
        #expect(Set(slack.invites[publicRoom.id] ?? []) == ["U0AVA", "U0BEN"])

        // Reclassified into child safety from inside the room: the public room's posts are
        // edited down, a private room is made for cleared people, and the public one archived.
        try await vigil.withClient { client in
            _ = try await vigil.slack("type csam", as: Fixtures.dee, channel: publicRoom.id, client: client)
        }
        try await deliverAll(vigil)
        let privateRoom = try #require(slack.createdChannels.last)
        #expect(slack.createdChannels.count == 2)
        #expect(privateRoom.isPrivate && privateRoom.name == "inc-1-2")
        // Lou, cleared and owner of the NCMEC step; Ava and Ben are not cleared, and Dee, who
        // moved it, neither owns it nor is on call.
        #expect(slack.invites[privateRoom.id] == ["U0LOU"])
        #expect(slack.archived == [publicRoom.id])
        let brief = try #require(slack.messages.first { $0.channel == publicRoom.id })
        #expect(brief.edits >= 1 && !(brief.text ?? "").contains("Card testing"))
        await slack.stop()
    }

    @Test func aChannelIsArchivedTheConfiguredTimeAfterResolveAndNotBefore() async throws {
        let slack = try await FakeSlackWebAPI.start()
        let vigil = try vigil(slack)
        defer { vigil.cleanUp() }
        let room = try await openedSev1(vigil, slack)
        try await vigil.withClient { client in
            let (_, reply) = try await vigil.slack("resolve Blocked the BIN range", as: Fixtures.ava, channel: room.id, client: client)
            #expect(reply.text.contains("INC-1"))
        }
        #expect(try await vigil.store.incident(1)?.state == .resolved)
        let archiver = try #require(vigil.app.roomArchiver)
        vigil.clock.advance(by: 3 * 86_400 - 60)
        #expect(await archiver.pass() == 0)
        #expect(slack.archived.isEmpty)
        vigil.clock.advance(by: 61)
        #expect(await archiver.pass() == 1)
        #expect(slack.archived == [room.id])
        #expect(slack.messages.last { $0.channel == room.id }?.text?.contains("archived") == true)
        // A second pass (or replica) finds nothing left to do.
        #expect(await archiver.pass() == 0)
        await slack.stop()
    }

    @Test func onMattermostARestrictedIncidentsChannelIsPrivateInTheTeamWithClearedMembersOnly() async throws {
        let mattermost = try await FakeMattermostAPI.start()
        let louMM = Identity(platform: "mattermost", id: "loumm000000000000000000000")
        let benMM = Identity(platform: "mattermost", id: "benmm000000000000000000000")
        var policy = Self.policy
        policy.people = PeopleDirectory([
            Person(name: "lou", accounts: [Identity(platform: "slack", id: "U0LOU"), louMM]),
            Person(name: "ben", accounts: [Identity(platform: "slack", id: "U0BEN"), benMM]),
        ])
        policy.rooms = RoomPolicy(rules: [RoomRule(when: .init(restricted: true), visibility: .private)], defaultPlatform: "mattermost")
        let vigil = try TestVigil(
            transport: CurlHTTPClient(), policy: policy,
            reach: ReachSettings(mattermost: MattermostAPISettings(botToken: "mm-bot-token", url: mattermost.serverURL, teamID: "team1")))
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev2 csam Image of a minor reported by a flagger", as: Fixtures.ava, client: client)
        }
        try await deliverAll(vigil)
        let room = try #require(mattermost.channels.first { $0.type != "D" })
        #expect(room.type == "P" && room.teamID == "team1" && room.name == "inc-1")
        // Lou through his linked Mattermost account; Ben is on call but not cleared.
        #expect(room.members.contains(louMM.id) && !room.members.contains(benMM.id))
        let posts = mattermost.posts.filter { $0.channelID == room.id }
        #expect(posts.count == 2 && posts[1].isPinned)
        await mattermost.stop()
    }
}
