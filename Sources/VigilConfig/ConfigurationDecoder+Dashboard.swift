import VigilCore
import Yams

/// `dashboard: {link_ttl, session_ttl, secret}` (see ``DashboardSettings``).
extension ConfigurationDecoder {
    func dashboard(_ node: Node?) -> DashboardSettings {
        var settings = DashboardSettings()
        guard let node, let fields = reader.fields(of: node, at: "dashboard", known: ["link_ttl", "session_ttl", "secret"]) else {
            return settings
        }
        if let value = fields["link_ttl"], let ttl = boundedDuration(value, at: "dashboard.link_ttl", DashboardSettings.linkTTLRange) {
            settings.linkTTL = ttl
        }
        if let value = fields["session_ttl"],
            let ttl = boundedDuration(value, at: "dashboard.session_ttl", DashboardSettings.sessionTTLRange)
        {
            settings.sessionTTL = ttl
        }
        if let value = fields["secret"], let secret = reader.string(value, at: "dashboard.secret") {
            if secret.count < DashboardSettings.shortestSecret {
                reader.error(
                    "dashboard.secret must be at least \(DashboardSettings.shortestSecret) characters (a random string, e.g. from openssl rand -hex 32)",
                    at: value)
            } else {
                settings.secret = secret
            }
        }
        return settings
    }

    private func boundedDuration(_ node: Node, at path: String, _ range: ClosedRange<Duration>) -> Duration? {
        guard let duration = reader.duration(node, at: path) else { return nil }
        guard range.contains(duration) else {
            reader.error(
                "\(path) must be from \(DurationText.configForm(range.lowerBound)) to \(DurationText.configForm(range.upperBound))",
                at: node)
            return nil
        }
        return duration
    }
}
