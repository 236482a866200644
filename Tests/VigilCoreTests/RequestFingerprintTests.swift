import Testing
import VigilCore
import VigilTestSupport

/// Finding 8: an idempotency record now says who sent the request and what it asked.
@Suite struct RequestFingerprintTests {
    static let base = Invocation(
        platform: "slack", user: Fixtures.ava, channelName: "ts", channelID: "C1", command: "/incident",
        text: "note 1 hello", responseURL: "https://hooks.slack.com/x", requestID: "1.2.3")

    static func changed(_ change: (inout Invocation) -> Void) -> Invocation {
        var invocation = base
        change(&invocation)
        return invocation
    }

    @Test func theSameRequestHasTheSameFingerprint() {
        let fingerprint = RequestFingerprint(Self.base)
        #expect(fingerprint.sender == "U0AVA")
        #expect(fingerprint.hash.count == 64 && fingerprint.hash.allSatisfy(\.isHexDigit))
        // Display name, response URL and request ID are not part of what was asked.
        #expect(RequestFingerprint(Self.changed { $0.user = .init(id: "U0AVA", name: "someone"); $0.responseURL = nil }) == fingerprint)
    }

    @Test func anotherSenderChannelPlatformOrTextChangesIt() {
        let fingerprint = RequestFingerprint(Self.base)
        #expect(RequestFingerprint(Self.changed { $0.user = Fixtures.ben }) != fingerprint)
        #expect(RequestFingerprint(Self.changed { $0.channelID = "C2" }).hash != fingerprint.hash)
        #expect(RequestFingerprint(Self.changed { $0.platform = "mattermost" }).hash != fingerprint.hash)
        #expect(RequestFingerprint(Self.changed { $0.text = "note 1 hello!" }).hash != fingerprint.hash)
        // Fields are length-prefixed: moving text across a boundary is another request.
        let a = RequestFingerprint(Self.changed { $0.channelID = "C1n"; $0.text = "ote 1 hello" })
        let b = RequestFingerprint(Self.changed { $0.channelID = "C1"; $0.text = "note 1 hello" })
        #expect(a.hash != b.hash)
    }

    @Test func aStoredRecordAnswersOnlyItsOwnRequest() {
        let stored = StoredRequest(reply: .ephemeral("first"), fingerprint: RequestFingerprint(Self.base))
        #expect(stored.isRepeat(of: RequestFingerprint(Self.base)))
        #expect(!stored.isRepeat(of: RequestFingerprint(Self.changed { $0.user = Fixtures.ben })))
        #expect(!stored.isRepeat(of: RequestFingerprint(Self.changed { $0.text = "resolve 1 done" })))
        // A record from before fingerprints were kept cannot be checked, so it answers nobody.
        #expect(!StoredRequest(reply: .ephemeral("old"), fingerprint: nil).isRepeat(of: RequestFingerprint(Self.base)))
    }
}
