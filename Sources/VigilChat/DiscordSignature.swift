import Crypto
import Foundation
import VigilCore

/// Verifies Discord's interaction signature: Ed25519 over `{X-Signature-Timestamp}{raw body}`
/// with the application's public key, and a timestamp within five minutes of now.
///
/// Discord itself sends requests with bad signatures when the endpoint URL is saved in its
/// Developer Portal, and refuses the URL unless every one of them gets a 401: a verifier that
/// accepts too much cannot even be registered.
public struct DiscordSignature: Sendable {
    /// Discord sets no window of its own; Vigil applies Slack's, so a captured request cannot be
    /// replayed later than that (within it, the interaction id deduplicates).
    public static let window: TimeInterval = 300

    /// Why a configured public key is refused, for `vigil check` and start-up.
    public enum KeyError: Error, Equatable, CustomStringConvertible {
        case notHex
        case wrongLength(Int)

        public var description: String {
            switch self {
            case .notHex: "discord.public_key must be hex (the Developer Portal's \"Public Key\")"
            case let .wrongLength(count): "discord.public_key must be 64 hex digits (32 bytes), not \(count)"
            }
        }
    }

    // Kept as bytes: Curve25519.Signing.PublicKey is not Sendable, and one is cheap to rebuild.
    private let publicKey: [UInt8]

    /// `publicKeyHex` is the application's public key as the Developer Portal shows it.
    public init(publicKeyHex: String) throws(KeyError) {
        guard let bytes = Digits.bytes(hex: publicKeyHex) else { throw .notHex }
        guard bytes.count == 32 else { throw .wrongLength(publicKeyHex.count) }
        publicKey = bytes
    }

    /// `publicKey` is the key's 32 raw bytes, as the config decodes them.
    public init(publicKey: [UInt8]) throws(KeyError) {
        guard publicKey.count == 32 else { throw .wrongLength(publicKey.count * 2) }
        self.publicKey = publicKey
    }

    /// Checks the headers against the raw body, before anything is parsed.
    public func verify(timestamp: String?, signature: String?, body: some Collection<UInt8>, now: Date) throws(ChatRequestError) {
        guard let timestamp, let signature else {
            throw ChatRequestError(.unauthorized, "missing X-Signature-Timestamp or X-Signature-Ed25519")
        }
        guard let signatureBytes = Digits.bytes(hex: signature), signatureBytes.count == 64 else {
            throw ChatRequestError(.unauthorized, "malformed X-Signature-Ed25519")
        }
        guard !timestamp.isEmpty, timestamp.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let seconds = Int64(timestamp) else {
            throw ChatRequestError(.unauthorized, "malformed X-Signature-Timestamp")
        }
        // The timestamp as sent, byte for byte: it is part of what was signed.
        guard Self.isValid(signature: signatureBytes, message: Array(timestamp.utf8) + Array(body), publicKey: publicKey) else {
            throw ChatRequestError(.unauthorized, "invalid signature")
        }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= Self.window else {
            throw ChatRequestError(.unauthorized, "stale request timestamp")
        }
    }

    /// Ed25519 verification of `message` (RFC 8032).
    static func isValid(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

/// Signs a request as Discord signs interactions, from a 32-byte Ed25519 seed: what `vigil send
/// --platform discord` and the tests use. Vigil serving a real application holds only its
/// public key; this is for a key pair of one's own (local mode, tests).
public struct DiscordRequestSigner: Sendable {
    // Kept as bytes, for the reason DiscordSignature keeps its key so.
    private let seed: [UInt8]

    public init(seed: [UInt8]) throws(DiscordSignature.KeyError) {
        guard seed.count == 32 else { throw .wrongLength(seed.count * 2) }
        self.seed = seed
    }

    /// From a SHA-256 digest, which is always 32 bytes.
    init(digest: SHA256.Digest) {
        seed = Array(digest)
    }

    /// The public key that verifies this signer's signatures: what `discord.public_key` holds.
    public var publicKey: [UInt8] {
        // A 32-byte seed is always a valid key, so this cannot fail.
        (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)).map { Array($0.publicKey.rawRepresentation) } ?? []
    }

    /// `X-Signature-Ed25519` for `body` sent at `timestamp`, in hex.
    public func signature(timestamp: String, body: some Collection<UInt8>) -> String {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed),
            let signature = try? key.signature(for: Array(timestamp.utf8) + Array(body))
        else { return "" }
        return Digits.hex(signature)
    }
}
