import Foundation
import Testing
import VigilChat

/// Slack's official signing vector (docs.slack.dev, "Verifying requests from Slack").
@Suite struct SlackSignatureTests {
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let timestamp = "1531420618"
    static let signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    let body: [UInt8]
    let verifier = SlackSignature(signingSecret: secret)

    init() throws {
        body = try FixtureLoader.bytes("slack-official-vector.form")
    }

    func at(_ offset: TimeInterval) -> Date { Date(timeIntervalSince1970: 1_531_420_618 + offset) }

    @Test func signsTheOfficialVector() {
        #expect(verifier.sign(timestamp: Self.timestamp, body: body) == Self.signature)
    }

    @Test(arguments: [0.0, 60, -60, 300, -300])
    func acceptsTheOfficialVectorWithinFiveMinutes(offset: TimeInterval) throws {
        try verifier.verify(timestamp: Self.timestamp, signature: Self.signature, body: body, now: at(offset))
    }

    @Test(arguments: [301.0, -301, 86_400])
    func rejectsAStaleOrFutureTimestamp(offset: TimeInterval) {
        #expect(throws: ChatRequestError(.unauthorized, "stale request timestamp")) {
            try verifier.verify(timestamp: Self.timestamp, signature: Self.signature, body: body, now: at(offset))
        }
    }

    @Test func rejectsATamperedBody() {
        var tampered = body
        tampered[tampered.count - 1] ^= 1
        #expect(throws: ChatRequestError(.unauthorized, "invalid signature")) {
            try verifier.verify(timestamp: Self.timestamp, signature: Self.signature, body: tampered, now: at(0))
        }
    }

    @Test func rejectsATamperedTimestampOrSignatureOrSecret() {
        #expect(throws: ChatRequestError.self) {
            try verifier.verify(timestamp: "1531420619", signature: Self.signature, body: body, now: at(0))
        }
        let flipped = String(Self.signature.dropLast()) + "4"
        #expect(throws: ChatRequestError.self) {
            try verifier.verify(timestamp: Self.timestamp, signature: flipped, body: body, now: at(0))
        }
        #expect(throws: ChatRequestError.self) {
            try SlackSignature(signingSecret: "another").verify(timestamp: Self.timestamp, signature: Self.signature, body: body, now: at(0))
        }
    }

    @Test func rejectsMissingOrMalformedHeaders() {
        #expect(throws: ChatRequestError.self) { try verifier.verify(timestamp: nil, signature: Self.signature, body: body, now: at(0)) }
        #expect(throws: ChatRequestError.self) { try verifier.verify(timestamp: Self.timestamp, signature: nil, body: body, now: at(0)) }
        #expect(throws: ChatRequestError.self) { try verifier.verify(timestamp: "soon", signature: Self.signature, body: body, now: at(0)) }
    }
}

@Suite struct MattermostTokenTests {
    let verifier = MattermostToken(token: "qzgakf1nx3yt9dr4n8585ihbxy")

    @Test func acceptsTheHeaderOrTheFormField() throws {
        try verifier.verify(authorization: "Token qzgakf1nx3yt9dr4n8585ihbxy", formToken: nil)
        try verifier.verify(authorization: nil, formToken: "qzgakf1nx3yt9dr4n8585ihbxy")
    }

    @Test(arguments: [
        ("Token wrong", nil), ("Bearer qzgakf1nx3yt9dr4n8585ihbxy", nil), (nil, "qzgakf1nx3yt9dr4n8585ihbx"),
        (nil, nil), ("Token ", nil), (nil, ""),
    ] as [(String?, String?)])
    func rejectsAnythingElse(authorization: String?, formToken: String?) {
        #expect(throws: ChatRequestError.self) { try verifier.verify(authorization: authorization, formToken: formToken) }
    }

    @Test func aWrongHeaderIsNotRescuedByTheFormField() {
        #expect(throws: ChatRequestError.self) {
            try verifier.verify(authorization: "Token wrong", formToken: "qzgakf1nx3yt9dr4n8585ihbxy")
        }
    }
}
