import Foundation
import VigilCore

/// The sign-in links `/incident dashboard` sends: one person's, short-lived, in a reply only
/// they see.
public struct DashboardLinks: Sendable {
    let tokens: DashboardTokens
    let ttl: Duration
    /// Where browsers reach Vigil: `public_url`, or the loopback address this server listens on
    /// (local mode); `nil` when neither is known.
    let base: @Sendable () -> String?

    init(tokens: DashboardTokens, ttl: Duration, base: @escaping @Sendable () -> String?) {
        self.tokens = tokens
        self.ttl = ttl
        self.base = base
    }

    /// The reply to `dashboard`: the link, or why there is none.
    func reply(context: CommandContext) -> Reply {
        guard context.repliesArePrivate else {
            return UserError(
                "Vigil sends no sign-in link here: on this platform the whole thread sees its replies. Ask for one where Vigil answers you alone (Slack, Mattermost or Discord)."
            ).reply
        }
        guard context.actor.identity != nil else { return UserError("Vigil could not tell who you are on this platform.").reply }
        guard let base = base() else {
            return UserError(
                "The dashboard has no address yet: the Vigil operator needs to set public_url in the config (the https address browsers reach Vigil at)."
            ).reply
        }
        let expires = context.now.addingTimeInterval(ttl.seconds)
        let token = tokens.issue(.link, for: context.actor, expires: expires)
        let url = base + DashboardRoutes.loginPath + "?token=" + token
        return Reply(
            .ephemeral,
            Message(lines: [
                [.bold("Your sign-in link to Vigil's dashboard")],
                [.text(url)],
                [
                    .text(
                        "It works for \(DurationText.format(ttl)) and signs in as you: do not share it. The browser stays signed in until you sign out or the session ends."
                    )
                ],
            ]))
    }
}
