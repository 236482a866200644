import Foundation
import Testing
import VigilIntake

/// Standard Webhooks signatures, checked against the specification's published example (the
/// reference libraries' `sign` test: the Svix PHP library's `testSignFunctionWorks`, and the
/// spec's own README example): whatever library a sender uses, Vigil accepts what it signs.
@Suite struct StandardWebhookSignatureTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = Array(#"{"test": 2432232314}"#.utf8)
    static let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    func verify(
        id: String? = id, timestamp: String? = String(timestamp), signature: String? = expected, body: [UInt8] = body,
        secrets: [String] = [secret], now: Double = Double(timestamp)
    ) throws(IntakeSignatureError) {
        try StandardWebhookSignature.verify(id: id, timestamp: timestamp, signature: signature, body: body, secrets: secrets, now: now)
    }

    @Test func theSpecificationsExampleVerifiesAndSignsTheSame() throws {
        try verify()
        #expect(
            StandardWebhookSignature.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body, secret: Self.secret) == Self.expected)
        // The prefix is optional, as in the reference libraries.
        try verify(secrets: [String(Self.secret.dropFirst(6))])
    }

    @Test func anyOfSeveralSignaturesOrSecretsWillDo() throws {
        try verify(signature: "v1,bm9wZQ== v1a,xyz \(Self.expected)")
        try verify(secrets: ["whsec_" + Data(repeating: 7, count: 24).base64EncodedString(), Self.secret])
    }

    @Test func aDeliveryThatIsNotAuthenticIsRefused() {
        let other = "whsec_" + Data(repeating: 1, count: 24).base64EncodedString()
        #expect(throws: IntakeSignatureError.self, "tampered body") { try verify(body: Array(#"{"test": 2432232315}"#.utf8)) }
        #expect(throws: IntakeSignatureError.self, "another id") { try verify(id: "msg_other") }
        #expect(throws: IntakeSignatureError.self, "wrong secret") { try verify(secrets: [other]) }
        #expect(throws: IntakeSignatureError.self, "stale") { try verify(now: Double(Self.timestamp) + 301) }
        #expect(throws: IntakeSignatureError.self, "from the future") { try verify(now: Double(Self.timestamp) - 301) }
        #expect(throws: IntakeSignatureError.self, "missing id") { try verify(id: nil) }
        #expect(throws: IntakeSignatureError.self, "missing timestamp") { try verify(timestamp: nil) }
        #expect(throws: IntakeSignatureError.self, "timestamp not a number") { try verify(timestamp: "soon") }
        #expect(throws: IntakeSignatureError.self, "missing signature") { try verify(signature: nil) }
        #expect(throws: IntakeSignatureError.self, "no v1 entry") { try verify(signature: "v2," + Self.expected.dropFirst(3)) }
        #expect(throws: IntakeSignatureError.self, "hex, not base64") { try verify(signature: "v1,836848f52b04f8e4") }
        // Within the window either way, it verifies.
        #expect(throws: Never.self) { try verify(now: Double(Self.timestamp) + 299) }
    }
}
