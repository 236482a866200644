import Foundation
import Testing
import VigilCore

@testable import VigilChat

/// Discord's Ed25519 check, on RFC 8032's vectors and Discord's own PING (protocols.md §8.2).
@Suite("Discord signature")
struct DiscordSignatureTests {
    static let pingKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let pingTimestamp = "1700000000"
    static let pingBody = Array(#"{"id":"787053080478613555","token":"ThisIsATokenFromDiscordThatIsVeryLong","type":1,"version":1}"#.utf8)
    static let pingSignature =
        "f0bd878adcef1f6d475c9644421905bd02b5de38e0d3ecfc6f58a711962c69ccc8dd7c9db312f9bdf08b1e1b8182e27a844da728c5e0dbb5507bf9931c1ed80b"
    static let signedAt = Date(timeIntervalSince1970: 1_700_000_000)

    struct RFCVector: Sendable, CustomTestStringConvertible {
        var name: String
        var publicKey: String
        var message: String
        var signature: String
        var testDescription: String { name }
    }

    static let rfc8032 = [
        RFCVector(
            name: "TEST 1", publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", message: "",
            signature:
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        RFCVector(
            name: "TEST 2", publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", message: "72",
            signature:
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
    ]

    @Test("RFC 8032 vectors verify, and one flipped bit in the signature or the message does not", arguments: rfc8032)
    func rfcVectors(vector: RFCVector) throws {
        let key = try #require(Digits.bytes(hex: vector.publicKey))
        let message = try #require(Digits.bytes(hex: vector.message))
        let signature = try #require(Digits.bytes(hex: vector.signature))
        #expect(DiscordSignature.isValid(signature: signature, message: message, publicKey: key))
        var badSignature = signature
        badSignature[10] ^= 0x01
        #expect(!DiscordSignature.isValid(signature: badSignature, message: message, publicKey: key))
        #expect(!DiscordSignature.isValid(signature: signature, message: message + [0x00], publicKey: key))
    }

    @Test("Discord's PING verifies within the window")
    func ping() throws {
        let verifier = try DiscordSignature(publicKeyHex: Self.pingKey)
        try verifier.verify(
            timestamp: Self.pingTimestamp, signature: Self.pingSignature, body: Self.pingBody, now: Self.signedAt.addingTimeInterval(60))
        // Upper-case hex is the same signature.
        try verifier.verify(
            timestamp: Self.pingTimestamp, signature: Self.pingSignature.uppercased(), body: Self.pingBody, now: Self.signedAt)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var timestamp: String?
        var signature: String?
        var body: [UInt8]
        var now: Date
        var reason: String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = {
        let (t, s, b, now) = (pingTimestamp, pingSignature, pingBody, signedAt)
        var changed = b
        changed[8] = UInt8(ascii: "9")
        return [
            Refusal(
                name: "another timestamp, same signature", timestamp: "1700000001", signature: s, body: b, now: now,
                reason: "invalid signature"),
            Refusal(name: "one byte of the body changed", timestamp: t, signature: s, body: changed, now: now, reason: "invalid signature"),
            Refusal(name: "an empty body", timestamp: t, signature: s, body: [], now: now, reason: "invalid signature"),
            Refusal(
                name: "stale: 301 s after", timestamp: t, signature: s, body: b, now: now.addingTimeInterval(301),
                reason: "stale request timestamp"),
            Refusal(
                name: "from the future: 301 s before", timestamp: t, signature: s, body: b, now: now.addingTimeInterval(-301),
                reason: "stale request timestamp"),
            Refusal(
                name: "no timestamp", timestamp: nil, signature: s, body: b, now: now,
                reason: "missing X-Signature-Timestamp or X-Signature-Ed25519"),
            Refusal(
                name: "no signature", timestamp: t, signature: nil, body: b, now: now,
                reason: "missing X-Signature-Timestamp or X-Signature-Ed25519"),
            Refusal(
                name: "signature not hex", timestamp: t, signature: "zz" + String(s.dropFirst(2)), body: b, now: now,
                reason: "malformed X-Signature-Ed25519"),
            Refusal(
                name: "signature of 127 digits", timestamp: t, signature: String(s.dropLast()), body: b, now: now,
                reason: "malformed X-Signature-Ed25519"),
            Refusal(
                name: "signature of 130 digits", timestamp: t, signature: s + "00", body: b, now: now,
                reason: "malformed X-Signature-Ed25519"),
            Refusal(
                name: "timestamp with a sign", timestamp: "+1700000000", signature: s, body: b, now: now,
                reason: "malformed X-Signature-Timestamp"),
            Refusal(name: "empty timestamp", timestamp: "", signature: s, body: b, now: now, reason: "malformed X-Signature-Timestamp"),
        ]
    }()

    @Test("anything else is refused as unauthorized, with a reason that names no secret", arguments: refusals)
    func refused(refusal: Refusal) throws {
        let verifier = try DiscordSignature(publicKeyHex: Self.pingKey)
        #expect(throws: ChatRequestError(.unauthorized, refusal.reason)) {
            try verifier.verify(timestamp: refusal.timestamp, signature: refusal.signature, body: refusal.body, now: refusal.now)
        }
    }

    @Test("a public key that is not 32 bytes of hex is refused at configuration")
    func badKeys() {
        #expect(throws: DiscordSignature.KeyError.notHex) { try DiscordSignature(publicKeyHex: "xyz0") }
        #expect(throws: DiscordSignature.KeyError.notHex) { try DiscordSignature(publicKeyHex: "abc") }
        #expect(throws: DiscordSignature.KeyError.wrongLength(62)) { try DiscordSignature(publicKeyHex: String(Self.pingKey.dropLast(2))) }
    }

    @Test("a key that is not a curve point verifies nothing")
    func notAPoint() throws {
        // 32 bytes that Curve25519 refuses or cannot match: never a pass.
        let verifier = try DiscordSignature(publicKeyHex: String(repeating: "ff", count: 32))
        #expect(throws: ChatRequestError(.unauthorized, "invalid signature")) {
            try verifier.verify(timestamp: Self.pingTimestamp, signature: Self.pingSignature, body: Self.pingBody, now: Self.signedAt)
        }
    }
}
