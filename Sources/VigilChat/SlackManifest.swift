import VigilCore
import VigilJSON

/// The Slack app manifest for Vigil: what `vigil manifest slack` prints, to paste into
/// "Create New App → From an app manifest" at api.slack.com/apps.
///
/// It registers `/incident` at `{public_url}/slack/commands` with a usage hint drawn from the
/// command specs, interactivity (button presses) at `{public_url}/slack/interactions`, a bot
/// user, and the `commands` and `incoming-webhook` scopes. Field names and limits follow Slack's
/// app manifest reference.
public enum SlackManifest {
    /// The slash command users type.
    public static let command = Invocation.incidentCommand

    /// Where Slack posts the slash command, below `public_url`: the path ``SlackAdapter`` serves.
    public static let commandsPath = SlackAdapter.commandPath

    /// Where Slack posts button presses, below `public_url`: the other path ``SlackAdapter`` serves.
    public static let interactionsPath = SlackAdapter.interactionsPath

    /// The longest usage hint Vigil writes. Slack takes 1,000 characters, but the composer shows
    /// the hint on one line beside the command, so it is kept to what can be read at a glance.
    public static let usageHintLimit = 100

    /// The app's short description (`display_information.description`); Slack takes 140 characters.
    static let appDescription = "Chat-ops escalation bot for Trust & Safety incidents."

    /// The manifest for an app reached at `publicURL` (`https://vigil.example.com`, no trailing
    /// slash, as ``VigilConfig/VigilConfiguration/publicURL`` keeps it), with the usage hint built
    /// from `specs`.
    public static func document(publicURL: String, specs: [CommandSpec]) -> JSONValue {
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        let slashCommand: JSONValue = [
            "command": .string(command),
            "url": .string(base + commandsPath),
            "description": "Open, acknowledge and work Trust & Safety incidents. Try /incident help.",
            "usage_hint": .string(usageHint(specs: specs)),
            // Required: with it Slack sends a mention as <@U…|name>, the form the parser reads as a
            // user ID; without it a mention arrives as plain @name text, which names no account.
            "should_escape": true,
        ]
        let features: JSONValue = [
            "bot_user": ["display_name": "Vigil", "always_online": true],
            "slash_commands": [slashCommand],
        ]
        // Without interactivity Slack shows Vigil's buttons but sends their presses nowhere.
        let settings: JSONValue = [
            "interactivity": ["is_enabled": true, "request_url": .string(base + interactionsPath)],
            "org_deploy_enabled": false, "socket_mode_enabled": false, "token_rotation_enabled": false,
        ]
        return [
            "display_information": ["name": "Vigil", "description": .string(appDescription)],
            "features": features,
            "oauth_config": ["scopes": ["bot": ["commands", "incoming-webhook"]]],
            "settings": settings,
        ]
    }

    /// One line of sub-commands for the composer, within ``usageHintLimit``: `help` first (it
    /// explains the rest), then `open`, then the others by name, each as its usage without
    /// `--options`, and `…` when the rest do not fit.
    static func usageHint(specs: [CommandSpec]) -> String {
        let first = ["help", "open"]
        let ordered =
            first.compactMap { name in specs.first { $0.name == name } }
            + specs.filter { !first.contains($0.name) }.sorted { $0.name < $1.name }
        let separator = " | ", more = " | …"
        var hint = ""
        for (index, spec) in ordered.enumerated() {
            let entry = withoutOptions(spec.usage)
            let candidate = hint.isEmpty ? entry : hint + separator + entry
            // Room for " | …" is kept unless this is the last entry.
            let reserve = index == ordered.count - 1 ? 0 : more.count
            guard candidate.count + reserve <= usageHintLimit else {
                return hint.isEmpty ? String(entry.prefix(usageHintLimit - 1)) + "…" : hint + more
            }
            hint = candidate
        }
        return hint
    }

    /// `usage` without its `[--option …]` groups: the composer line has room only for arguments.
    static func withoutOptions(_ usage: String) -> String {
        var out = ""
        var depth = 0
        var skipping = false
        var characters = Array(usage)[...]
        while let character = characters.popFirst() {
            if !skipping, character == "[", characters.first == "-" {
                skipping = true
                depth = 1
                continue
            }
            if skipping {
                if character == "[" { depth += 1 }
                if character == "]" { depth -= 1 }
                if depth == 0 { skipping = false }
                continue
            }
            out.append(character)
        }
        return out.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
