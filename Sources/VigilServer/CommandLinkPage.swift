import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VigilCore

/// `GET /act?command=ack%20INC-42`: where a button on a Teams post leads.
///
/// A Teams Workflows post cannot send a press back to Vigil, so its buttons open this page,
/// which shows the command to type to Vigil in the channel. The page holds the command text
/// alone, which names an incident by its ID only, so it shows nobody anything the button did
/// not already carry; it reads nothing from the store and needs no sign-in. A command whose
/// first word is not one of Vigil's commands, or that is too long to be a button's, is a 400.
struct CommandLinkPage: Sendable {
    static let path = "/act"
    /// Longer than any command a button carries.
    static let maxCommandLength = 200

    /// The command names and aliases from `commands/`.
    let commandWords: Set<String>

    init(specs: [CommandSpec]) {
        commandWords = Set(specs.flatMap { [$0.name] + $0.aliases })
    }

    func respond(command: String?) -> Response {
        guard let command = command?.trimmingCharacters(in: .whitespaces), !command.isEmpty else {
            return InboundRoutes.text(.badRequest, "missing ?command=, such as ?command=ack%20INC-42")
        }
        guard command.count <= Self.maxCommandLength, !command.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true })
        else {
            return InboundRoutes.text(.badRequest, "command too long or not one line")
        }
        let word = String(command.prefix { !$0.isWhitespace }).lowercased()
        guard commandWords.contains(word) else {
            return InboundRoutes.text(.badRequest, "“\(word)” is not a Vigil command")
        }
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        // The page runs no script and loads nothing: inline style only.
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; style-src 'unsafe-inline'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Self.html(command))))
    }

    static func html(_ command: String) -> String {
        let shown = HTML.escape(command)
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Vigil: \(shown)</title>
            <style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:36rem;padding:0 1rem}
            code{display:block;font-size:1.25rem;padding:.75rem 1rem;background:#f2f2f2;border-radius:.4rem;user-select:all}</style>
            </head><body>
            <h1>Type this to Vigil</h1>
            <p>Teams cannot send a button press to Vigil, so go back to the channel, mention Vigil (the outgoing
            webhook's name) and type:</p>
            <code>\(shown)</code>
            <p>Vigil answers in the thread, exactly as it would have answered the button.</p>
            </body></html>

            """
    }
}
