import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilCore
import VigilServer
import VigilTestSupport

@Suite struct SlackEndpointTests {
    @Test func aSignedCommandOpensAnIncidentAndAnnouncesIt() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (status, reply) = try await vigil.slack("open sev1 fraud Card testing spike", client: client)
            #expect(status == .ok)
            #expect(reply.responseType == "in_channel")
            #expect(reply.text.hasPrefix("INC-1 opened · SEV1 · fraud — Card testing spike"))
        }
        let incident = try #require(try await vigil.store.incident(1))
        #expect(incident.title == "Card testing spike")
        #expect(try await vigil.store.events(of: 1).map(\.kind) == [.opened])
        let pass = try await vigil.app.delivery.deliverDue()
        #expect(pass.delivered == 1)
        #expect(vigil.console.all.map(\.channel) == ["incidents"])
        #expect(vigil.console.all.first?.text.contains("INC-1 opened") == true)
    }

    @Test func theWholeLifecycleOverTheEndpoint() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev2 moderation Brigading on a creator's post", client: client)
            let steps: [(String, UserRef, String)] = [
                ("ack INC-1", Fixtures.ben, "acknowledged"),
                ("assign 1 <@U0DEE|dee>", Fixtures.ben, "assigned"),
                ("note #1 500 accounts, same referrer", Fixtures.dee, "note added"),
                ("escalate 1 spreading to other creators", Fixtures.dee, "escalated"),
                ("sev 1 sev1", Fixtures.dee, "severity changed"),
                ("resolve 1 Accounts suspended, creator notified", Fixtures.dee, "resolved"),
                ("reopen 1 new wave", Fixtures.ava, "reopened"),
            ]
            for (command, user, verb) in steps {
                vigil.clock.advance(by: 60)
                let (status, reply) = try await vigil.slack(command, as: user, client: client)
                #expect(status == .ok)
                #expect(reply.responseType == "in_channel", "\(command): \(reply.text)")
                #expect(reply.text.contains("INC-1 \(verb)"), "\(command): \(reply.text)")
            }
            let (_, status) = try await vigil.slack("status 1", client: client)
            #expect(status.responseType == "ephemeral")
            #expect(status.text.contains("INC-1 · open · SEV1 · moderation — Brigading on a creator's post"))
            #expect(status.text.contains("note by @dee: 500 accounts, same referrer"))
            let (_, list) = try await vigil.slack("list", client: client)
            #expect(list.text.contains("1 open incidents"))
        }
        let events = try await vigil.store.events(of: 1)
        #expect(events.map(\.kind) == [.opened, .acknowledged, .assigned, .noted, .escalated, .severityChanged, .resolved, .reopened])
        #expect(EventChain.verify(events))
    }

    @Test func refusalsAreEphemeralSpecificAndWriteNothing() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, unknown) = try await vigil.slack("open sev9 fraud Title", client: client)
            #expect(unknown.responseType == "ephemeral")
            #expect(unknown.text.contains("Valid severities: sev1, sev2, sev3"))
            #expect(unknown.text.contains("Usage: /incident open"))
            _ = try await vigil.slack("open sev1 fraud Card testing", client: client)
            _ = try await vigil.slack("ack 1", as: Fixtures.ben, client: client)
            let (_, again) = try await vigil.slack("ack 1", client: client)
            #expect(again.responseType == "ephemeral")
            #expect(again.text == "INC-1 was already acknowledged by @ben at 21:40 UTC.")
            let (_, noText) = try await vigil.slack("resolve 1", client: client)
            // Slack's text is mrkdwn: `<` travels as `&lt;` and shows as `<`.
            #expect(noText.text.contains("Missing &lt;resolution…&gt;"))
            let (_, misspelt) = try await vigil.slack("reslove 1 done", client: client)
            #expect(misspelt.text.contains("Did you mean `resolve`?"))
        }
        #expect(try await vigil.store.events(of: 1).count == 2)
        #expect(try await vigil.store.reserveIncidentNumber() == 2)
    }

    @Test func aRepeatedTriggerIDChangesNothingAndReturnsTheFirstReply() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, first) = try await vigil.slack("open sev1 fraud Card testing", trigger: "111.222.aaa", client: client)
            vigil.clock.advance(by: 30)
            let (_, second) = try await vigil.slack("open sev1 fraud Card testing", trigger: "111.222.aaa", client: client)
            #expect(first.raw == second.raw)
            let (_, ack1) = try await vigil.slack("ack 1", trigger: "111.222.bbb", client: client)
            let (_, ack2) = try await vigil.slack("ack 1", trigger: "111.222.bbb", client: client)
            #expect(ack1.raw == ack2.raw)
            #expect(ack2.responseType == "in_channel")
        }
        #expect(try await vigil.store.incidents(matching: IncidentFilter()).count == 1)
        #expect(try await vigil.store.events(of: 1).count == 2)
        #expect(try await vigil.store.outboxHealth().pending == 2)
    }

    @Test func restrictedIncidentsAreRedactedInRepliesAndPosts() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, opened) = try await vigil.slack("open sev1 child-safety Fan report of exploitative DMs from account 99812", client: client)
            #expect(opened.text.hasPrefix("INC-1 opened · SEV1 · child-safety (restricted)"))
            #expect(!opened.text.contains("99812"))
            // Only the cleared (Dee) may work it; Ava, who opened it, now learns nothing more.
            let (_, noted) = try await vigil.slack("note 1 hash 5f2a stored at vault/99812", as: Fixtures.dee, client: client)
            #expect(!noted.text.contains("99812"))
            let (_, escalated) = try await vigil.slack("escalate 1 account 99812 posted again", as: Fixtures.dee, client: client)
            #expect(!escalated.text.contains("99812"))
            let (_, status) = try await vigil.slack("status 1", client: client)
            #expect(!status.text.contains("99812"))
            let (_, forDee) = try await vigil.slack("status 1", as: Fixtures.dee, client: client)
            #expect(forDee.text.contains("account 99812"))
            let (_, summary) = try await vigil.slack("summary 1", client: client)
            #expect(summary.responseType == "ephemeral")
            #expect(summary.text.contains("There is no incident INC-1 that you may see"))
            #expect(!summary.text.contains("99812"))
            let (_, summaryForDee) = try await vigil.slack("summary 1", as: Fixtures.dee, client: client)
            #expect(summaryForDee.text.contains("Fan report of exploitative DMs from account 99812"))
        }
        _ = try await vigil.app.delivery.deliverDue()
        #expect(vigil.console.all.map(\.channel) == ["incidents", "incidents", "oncall"])
        #expect(vigil.console.all.allSatisfy { !$0.text.contains("99812") && $0.text.contains("child-safety (restricted)") })
    }

    // MARK: - Refusals at the door

    @Test func badSignaturesStaleTimestampsAndMissingHeadersAre401AndWriteNothing() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let body = TestVigil.slackForm("open sev1 fraud Forged")
            let cases: [HTTPFields] = [
                vigil.slackHeaders(for: body, secret: "wrong-secret"),
                vigil.slackHeaders(for: body, timestamp: vigil.clock.now - 301),
                [.contentType: "application/x-www-form-urlencoded"],
            ]
            for headers in cases {
                let response = try await client.execute(uri: "/slack/commands", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                #expect(response.status == .unauthorized)
            }
            var tampered = body
            tampered.append(contentsOf: Array("&x=1".utf8))
            let response = try await client.execute(
                uri: "/slack/commands", method: .post, headers: vigil.slackHeaders(for: body), body: ByteBuffer(bytes: tampered))
            #expect(response.status == .unauthorized)
            #expect(String(buffer: response.body).contains("invalid signature"))
        }
        #expect(try await vigil.store.incidents(matching: IncidentFilter()).isEmpty)
    }

    @Test func oversizedBodiesAre413() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let body = TestVigil.slackForm("note 1 " + String(repeating: "x", count: 70_000))
            let response = try await client.execute(
                uri: "/slack/commands", method: .post, headers: vigil.slackHeaders(for: body), body: ByteBuffer(bytes: body))
            #expect(response.status == .contentTooLarge)
        }
    }

    @Test func malformedBodiesAre400() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            for body in ["text=%ZZ&user_id=U1", "text=help&command=%2Fincident&trigger_id=1"] {
                let bytes = Array(body.utf8)
                let response = try await client.execute(
                    uri: "/slack/commands", method: .post, headers: vigil.slackHeaders(for: bytes), body: ByteBuffer(bytes: bytes))
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func sslCheckGetsAnEmpty200() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let body = Array("ssl_check=1&token=legacy".utf8)
            let response = try await client.execute(
                uri: "/slack/commands", method: .post, headers: vigil.slackHeaders(for: body), body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
        }
    }

    @Test func healthAndReadiness() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(health.status == .ok)
            #expect(ready.status == .ok)
        }
    }
}
