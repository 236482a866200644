import Foundation
import VigilCore
import Yams

extension ConfigurationDecoder {
    /// Each chat platform's section that is present, decoded: the platforms Vigil serves.
    func chatPlatforms(_ top: Fields) -> [ChatPlatformSettings] {
        var platforms: [ChatPlatformSettings] = []
        if let secret = secret(top["slack"], at: "slack", key: "signing_secret", known: Self.slackKeys) {
            platforms.append(.slack(signingSecret: secret))
        }
        if let token = secret(top["mattermost"], at: "mattermost", key: "token", known: Self.mattermostKeys) {
            platforms.append(.mattermost(token: token))
        }
        if let node = top["discord"], let discord = discord(node) {
            platforms.append(discord)
        }
        if let node = top["teams"], let teams = teams(node) {
            platforms.append(teams)
        }
        return platforms
    }

    /// The keys of `slack:`: the signing secret that checks requests, and the bot token and API
    /// base that post as an app.
    static let slackKeys = ["signing_secret", "bot_token", "api_url"]
    /// The keys of `mattermost:`: the slash command's token, and the bot token and server URL.
    static let mattermostKeys = ["token", "bot_token", "url", "team_id"]

    /// `slack: {signing_secret: …}`: a secret must not be empty once substituted.
    func secret(_ node: Node?, at path: String, key: String, known: [String]? = nil) -> String? {
        guard let node, let fields = reader.fields(of: node, at: path, known: known ?? [key]) else { return nil }
        guard let value = fields[key] else {
            reader.error("\(path) needs \(key) (or remove \(path) if it is not used)", at: node)
            return nil
        }
        guard let text = reader.string(value, at: "\(path).\(key)") else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            reader.error("\(path).\(key) is empty (remove \(path) if it is not used)", at: value)
            return nil
        }
        return text
    }

    /// `discord: {public_key: 64 hex digits, application_id: snowflake, api_url: optional}`.
    /// The key is checked here, so a mistyped key stops `vigil check` instead of refusing every
    /// request.
    private func discord(_ node: Node) -> ChatPlatformSettings? {
        let known = ["public_key", "application_id", "api_url"]
        guard let keyText = secret(node, at: "discord", key: "public_key", known: known),
            let idText = secret(node, at: "discord", key: "application_id", known: known)
        else { return nil }
        let fields = reader.fields(of: node, at: "discord", known: known)
        guard let key = Digits.bytes(hex: keyText.trimmingCharacters(in: .whitespaces)), key.count == 32 else {
            reader.error(
                "discord.public_key must be the 64 hex digits of the application's public key (Developer Portal, General Information)",
                at: fields?["public_key"] ?? node)
            return nil
        }
        let id = idText.trimmingCharacters(in: .whitespaces)
        guard (15...25).contains(id.count), id.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            reader.error(
                "discord.application_id must be the application's numeric id (Developer Portal, General Information)",
                at: fields?["application_id"] ?? node)
            return nil
        }
        var apiURL: String?
        if let node = fields?["api_url"], let text = reader.string(node, at: "discord.api_url") {
            if let problem = ChannelTarget.validateURL(text) {
                reader.error("discord.api_url: \(problem)", at: node)
                return nil
            }
            apiURL = text
        }
        return .discord(publicKey: key, applicationID: id, apiURL: apiURL)
    }

    /// `teams: {security_token: base64}`: the token Teams shows once, when the outgoing webhook
    /// is created. Decoded here, so a mistyped token stops `vigil check`.
    private func teams(_ node: Node) -> ChatPlatformSettings? {
        guard let text = secret(node, at: "teams", key: "security_token") else { return nil }
        guard let key = Data(base64Encoded: text.trimmingCharacters(in: .whitespaces)), !key.isEmpty else {
            let field = reader.fields(of: node, at: "teams", known: ["security_token"])?["security_token"]
            reader.error(
                "teams.security_token must be the base64 security token Teams showed when the outgoing webhook was created",
                at: field ?? node)
            return nil
        }
        return .teams(securityToken: Array(key))
    }
}
