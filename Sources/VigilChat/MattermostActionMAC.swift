import Crypto
import VigilCore

/// The proof that a Mattermost button press carries a button Vigil rendered: a MAC over the
/// button's command, in the button's `integration.context`.
///
/// Mattermost signs nothing it sends for a button press; the context it posts back is what the
/// integration put there, and clients never see it (protocols.md §2). So the renderer puts the
/// command and its MAC in the context, and the adapter refuses a press whose MAC does not match:
/// only Vigil, which holds the slash command's token, can make one.
///
/// `mac = hex(HMAC-SHA256(key, "v1\n" + command))`, with `key = HMAC-SHA256(token, "vigil
/// mattermost actions")`: the token itself never keys anything but its own check, and the
/// `v1` leaves room for another scheme.
public struct MattermostActionMAC: Sendable {
    static let label = Array("vigil mattermost actions".utf8)
    static let version = Array("v1\n".utf8)

    // Kept as bytes: SymmetricKey is not Sendable in this swift-crypto.
    private let key: [UInt8]

    /// - Parameter token: the Mattermost slash command's token (`mattermost.token`).
    public init(token: String) {
        key = Array(HMAC<SHA256>.authenticationCode(for: Self.label, using: SymmetricKey(data: Array(token.utf8))))
    }

    /// The MAC a button running `command` carries.
    public func mac(command: String) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: key))
        mac.update(data: Self.version)
        mac.update(data: Array(command.utf8))
        return Digits.hex(mac.finalize())
    }

    /// Refuses, as `unauthorized`, a press whose `mac` is missing or is not `command`'s.
    public func verify(command: String?, mac: String?) throws(ChatRequestError) {
        guard let command, let mac, !mac.isEmpty else { throw ChatRequestError(.unauthorized, "missing button MAC") }
        guard ConstantTime.equals(Array(self.mac(command: command).utf8), Array(mac.utf8)) else {
            throw ChatRequestError(.unauthorized, "invalid button MAC")
        }
    }
}
