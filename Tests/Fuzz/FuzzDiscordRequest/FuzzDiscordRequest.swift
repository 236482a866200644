import Foundation
import FuzzSupport
import VigilChat
import VigilCore
import VigilJSON

/// Discord's `/discord/interactions`: the input is the raw body, signed as Discord would sign it,
/// so every input passes the Ed25519 check and reaches the decoder, which rebuilds a command's
/// options as typed text for the parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDiscordRequest(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let body = FuzzInput.bytes(start, count)
    let signature = signer.signature(timestamp: timestamp, body: body)
    let request = ChatRequest(path: "/discord/interactions", body: Array(body)) { name in
        switch name.lowercased() {
        case "x-signature-timestamp": timestamp
        case "x-signature-ed25519": signature
        default: nil
        }
    }
    do {
        try adapter.verify(request, now: now)
    } catch {
        FuzzOracle.expect(false, "a body signed with the application's key fails the check: \(error)")
    }
    PlatformRequest.handle(body, adapter: adapter)
    // A refusal goes back to the user as a Discord reply: whatever was sent, it is JSON.
    if case let .refused(reply)? = try? adapter.decode(request) {
        FuzzOracle.expect((try? JSONValue.parse(adapter.renderer.replyBody(reply).serialized())) != nil, "a refusal that is not JSON")
    }
    return 0
}

/// RFC 8032 TEST 1's seed: its public key is protocols.md §8.2's.
private let signer = try! DiscordRequestSigner(seed: Digits.bytes(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!)
private let timestamp = "1700000000"
private let now = Date(timeIntervalSince1970: 1_700_000_000)
private let adapter = try! DiscordAdapter(publicKey: signer.publicKey, applicationID: "123456789012345678", specs: FuzzRepository.parser.specs)
