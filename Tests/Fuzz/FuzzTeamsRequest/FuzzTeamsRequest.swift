import Foundation
import FuzzSupport
import VigilChat

/// Teams' `/teams/messages`: the input is the raw body, signed as Teams would sign it, so every
/// input passes the HMAC and reaches the activity's timestamp check, the decoder and the
/// mention stripper.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTeamsRequest(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let body = FuzzInput.bytes(start, count)
    let request = ChatRequest(path: "/teams/messages", body: Array(body)) { [authorization = teams.sign(body: body)] name in
        name.lowercased() == "authorization" ? authorization : nil
    }
    do {
        try teams.verify(authorization: request.header("Authorization"), body: body)
    } catch {
        FuzzOracle.expect(false, "a body signed with the token fails the HMAC: \(error)")
    }
    // Most inputs have no fresh timestamp; the check must refuse them, not crash.
    _ = try? adapter.verify(request, now: now)
    PlatformRequest.handle(body, adapter: adapter)
    // The input as a message's text: with no mention entities, nothing in it becomes markup.
    let text = FuzzInput.text(start, count)
    let command = TeamsMessageText.command(text, mentions: [])
    FuzzOracle.expect(!command.unicodeScalars.contains("<"), "a literal < from \(text.debugDescription): \(command.debugDescription)")
    _ = TeamsMessageText.command(text, mentions: mentions)
    return 0
}

/// protocols.md §8.3's token (Tests/VigilChatTests/TeamsSignatureTests.swift).
private let token = Array(Data(base64Encoded: "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=")!)
private let teams = TeamsSignature(securityToken: token)
private let adapter = TeamsAdapter(securityToken: token)
/// The seed activity's `timestamp`.
private let now = Date(timeIntervalSince1970: 1_491_514_428)
private let mentions = [
    TeamsMessageText.Mention(text: "<at>Vigil</at>", id: "28:bot", name: "Vigil"),
    TeamsMessageText.Mention(text: "<at>Ben Okafor</at>", id: "29:1ben7Qr2WvU", name: "Ben Okafor"),
]
