import Crypto
import Foundation

/// Discord's and Teams' credentials in local mode, derived from the local secret, so that
/// `vigil serve` and `vigil send` in one directory agree on them without another file.
///
/// Discord signs with a private key Vigil never holds for a real application; locally, Vigil
/// plays Discord too, so it derives the key pair from the secret. Teams' token is derived the
/// same way. Each derivation is labelled, so neither reveals the other or the secret.
public enum LocalPlatformKeys {
    /// The key pair `vigil send --platform discord` signs with in local mode, and whose public
    /// key `vigil serve` checks.
    public static func discordSigner(secret: String) -> DiscordRequestSigner {
        DiscordRequestSigner(digest: SHA256.hash(data: Array("vigil-local-discord:\(secret)".utf8)))
    }

    /// The Teams security token (its decoded bytes) in local mode.
    public static func teamsToken(secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Array("vigil-local-teams:\(secret)".utf8)))
    }

    /// The application id local mode registers `/incident` under.
    public static let discordApplicationID = "100000000000000001"
}
