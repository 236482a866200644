import Foundation
import VigilChat
import VigilConfig
import VigilCore

extension SlashCommandClient.Credentials {
    /// Why `vigil send` cannot sign for the platform asked.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The credentials for `platform` in a config file.
    ///
    /// - Parameter discordKeyFile: for Discord, a file holding the 32-byte seed (hex) of a key
    ///   pair whose public key is `discord.public_key`: Vigil holds only the public key.
    public static func configured(_ configuration: VigilConfiguration, platform: String, discordKeyFile: String?) throws -> Self {
        for settings in configuration.chatPlatforms where settings.platform == platform {
            switch settings {
            case let .slack(signingSecret): return .slack(signingSecret: signingSecret)
            case let .mattermost(token): return .mattermost(token: token)
            case let .teams(securityToken): return .teams(securityToken: securityToken)
            case let .discord(publicKey, applicationID, _):
                guard let discordKeyFile else {
                    throw Unavailable(
                        description: "Discord signs with the application's private key, which Vigil does not hold: pass "
                            + "--discord-private-key FILE (a 32-byte seed in hex) for a key pair whose public key is discord.public_key")
                }
                let signer = try discordSigner(file: discordKeyFile)
                guard signer.publicKey == publicKey else {
                    throw Unavailable(
                        description: "the key in \(discordKeyFile) does not match discord.public_key: the server would refuse it")
                }
                return .discord(
                    signer: signer, applicationID: applicationID,
                    specs: try CommandSpecLoader.load(directory: configuration.commandsDirectory))
            }
        }
        throw Unavailable(description: "the config has no \(platform): section to sign with")
    }

    /// The credentials local mode serves for `platform`, all derived from its secret
    /// (``LocalMode/configuration(workingDirectory:localUser:)`` serves the same).
    public static func local(secret: String, platform: String, workingDirectory: String) throws -> Self {
        switch platform {
        case "mattermost": return .mattermost(token: secret)
        case "teams": return .teams(securityToken: LocalPlatformKeys.teamsToken(secret: secret))
        case "discord":
            return .discord(
                signer: LocalPlatformKeys.discordSigner(secret: secret), applicationID: LocalPlatformKeys.discordApplicationID,
                specs: try CommandSpecLoader.load(directory: ShippedData.directory("commands", near: workingDirectory)))
        default: return .slack(signingSecret: secret)
        }
    }

    private static func discordSigner(file: String) throws -> DiscordRequestSigner {
        guard let data = FileManager.default.contents(atPath: file),
            let seed = Digits.bytes(hex: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            let signer = try? DiscordRequestSigner(seed: seed)
        else {
            throw Unavailable(description: "\(file) must hold a 32-byte Ed25519 seed as 64 hex digits")
        }
        return signer
    }
}
