import FuzzSupport
import VigilChat

/// Mattermost's `/mattermost/commands` and `/mattermost/actions`: the input is the raw body. The token is checked both
/// ways Mattermost may send it: the `Authorization` header (always right here, so every input
/// reaches the decoders) and the body's `token` field (whatever the input holds).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMattermostRequest(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let body = FuzzInput.bytes(start, count)
    do {
        try mattermost.verify(authorization: "Token \(token)", formToken: nil)
    } catch {
        FuzzOracle.expect(false, "the configured token in the Authorization header is refused: \(error)")
    }
    if let form = try? FormBody(decoding: body) {
        let accepted = (try? mattermost.verify(authorization: nil, formToken: form["token"])) != nil
        FuzzOracle.expect(accepted == (form["token"] == token), "form token \(form["token"].debugDescription) accepted: \(accepted)")
    }
    PlatformRequest.handle(body, adapter: adapter)
    // A button press's JSON body: decoded as it would be once its MAC passed.
    PlatformRequest.handle(body, adapter: adapter, path: MattermostAdapter.actionsPath)
    return 0
}

/// The token of Mattermost's documented example (Tests/VigilChatTests/Fixtures/README.md).
private let token = "qzgakf1nx3yt9dr4n8585ihbxy"
private let mattermost = MattermostToken(token: token)
private let adapter = MattermostAdapter(token: token)
