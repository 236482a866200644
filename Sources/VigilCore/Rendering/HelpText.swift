/// `help` and `help <subcommand>`, written from the specs in `commands/`.
public enum HelpText {
    public static func overview(_ specs: [CommandSpec]) -> Reply {
        var lines: [[Span]] = [[.bold("/incident"), .text(" — open, track and resolve T&S incidents")]]
        for spec in specs {
            lines.append([.code("/incident \(spec.usage)"), .text(" — \(spec.summary)")])
        }
        lines.append([.text("More on one: "), .code("/incident help <subcommand>")])
        return Reply(.ephemeral, Message(lines: lines))
    }

    public static func detail(_ spec: CommandSpec) -> Reply {
        var lines: [[Span]] = [[.code("/incident \(spec.usage)")], [.text(spec.summary)]]
        if !spec.aliases.isEmpty { lines.append([.text("Also: " + spec.aliases.joined(separator: ", "))]) }
        if spec.roles != [.anyone] {
            let roles = spec.roles.map { "`\($0.rawValue)`" }.joined(separator: " or ")
            lines.append([.text("Who: people with the \(roles) role.")])
        }
        for paragraph in spec.help.split(separator: "\n", omittingEmptySubsequences: true) {
            lines.append([.text(String(paragraph))])
        }
        if !spec.options.isEmpty {
            lines.append([.bold("Options")])
            for option in spec.options {
                lines.append([.code("--\(option.name)"), .text(option.help.isEmpty ? "" : " — \(option.help)")])
            }
        }
        if !spec.examples.isEmpty {
            lines.append([.bold("Examples")])
            for example in spec.examples { lines.append([.code("/incident \(example)")]) }
        }
        return Reply(.ephemeral, Message(lines: lines))
    }
}
