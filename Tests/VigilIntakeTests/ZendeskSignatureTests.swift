import Crypto
import Foundation
import Testing
import VigilIntake

/// Zendesk's webhook signature, with the expected value computed here with swift-crypto's HMAC
/// directly (base64(HMAC-SHA256(secret, timestamp + body))), not with the production helper.
@Suite struct ZendeskSignatureTests {
    static let secret = "dGhpc19pc19hX3plbmRlc2tfc2lnbmluZ19zZWNyZXQ="
    static let timestamp = "2026-12-03T18:00:00Z"
    static let now = ISO8601DateFormatter().date(from: timestamp)!.timeIntervalSince1970
    static let body = Array(#"{"ticket":{"id":4521,"subject":"Card testing"}}"#.utf8)

    /// Computed independently of ``ZendeskSignature``.
    static func independentSignature(secret: String = secret, timestamp: String = timestamp, body: [UInt8] = body) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(timestamp.utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        return Data(mac).base64EncodedString()
    }

    @Test func aSignatureComputedIndependentlyVerifies() throws {
        try ZendeskSignature.verify(
            signature: Self.independentSignature(), timestamp: Self.timestamp, body: Self.body, secrets: [Self.secret], now: Self.now)
        // Within five minutes either way, and with the old secret still listed during a rotation.
        try ZendeskSignature.verify(
            signature: Self.independentSignature(), timestamp: Self.timestamp, body: Self.body, secrets: ["old-secret", Self.secret],
            now: Self.now + 299)
    }

    @Test func anOpensslSignatureVerifiesToo() throws {
        // The README's recipe: `printf '%s%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$secret" -binary | base64`,
        // for this body and secret, recorded so the test needs no openssl at run time.
        let recorded = "YAkOvkdev+9y2jTMOWDdvaiGDWkaMB5u944oA3wJhP0="
        #expect(recorded == Self.independentSignature())
        try ZendeskSignature.verify(signature: recorded, timestamp: Self.timestamp, body: Self.body, secrets: [Self.secret], now: Self.now)
    }

    @Test func tamperedStaleOrMissingIsRefused() {
        let good = Self.independentSignature()
        let tampered = Array(#"{"ticket":{"id":4522,"subject":"Card testing"}}"#.utf8)
        #expect(throws: IntakeSignatureError.self) {
            try ZendeskSignature.verify(signature: good, timestamp: Self.timestamp, body: tampered, secrets: [Self.secret], now: Self.now)
        }
        #expect(throws: IntakeSignatureError.self) {
            try ZendeskSignature.verify(
                signature: good, timestamp: Self.timestamp, body: Self.body, secrets: [Self.secret], now: Self.now + 301)
        }
        #expect(throws: IntakeSignatureError.self) {
            try ZendeskSignature.verify(signature: good, timestamp: Self.timestamp, body: Self.body, secrets: ["another"], now: Self.now)
        }
        #expect(throws: IntakeSignatureError.self) {
            try ZendeskSignature.verify(signature: nil, timestamp: Self.timestamp, body: Self.body, secrets: [Self.secret], now: Self.now)
        }
        #expect(throws: IntakeSignatureError.self) {
            try ZendeskSignature.verify(signature: good, timestamp: nil, body: Self.body, secrets: [Self.secret], now: Self.now)
        }
        // The signature covers the timestamp: moving it breaks the signature.
        #expect(throws: IntakeSignatureError.self) {
            try ZendeskSignature.verify(
                signature: good, timestamp: "2026-12-03T18:00:01Z", body: Self.body, secrets: [Self.secret], now: Self.now)
        }
    }
}
