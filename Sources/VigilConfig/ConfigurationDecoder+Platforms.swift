import Foundation
import Yams

extension ConfigurationDecoder {
    /// Each chat platform's section that is present, decoded: the platforms Vigil serves.
    func chatPlatforms(_ top: Fields) -> [ChatPlatformSettings] {
        var platforms: [ChatPlatformSettings] = []
        if let secret = secret(top["slack"], at: "slack", key: "signing_secret") {
            platforms.append(.slack(signingSecret: secret))
        }
        if let token = secret(top["mattermost"], at: "mattermost", key: "token") {
            platforms.append(.mattermost(token: token))
        }
        return platforms
    }

    /// `slack: {signing_secret: …}`: a secret must not be empty once substituted.
    func secret(_ node: Node?, at path: String, key: String) -> String? {
        guard let node, let fields = reader.fields(of: node, at: path, known: [key]) else { return nil }
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
}
