import Foundation
import Testing
import VigilConfig
import VigilCore

@Suite("commands/")
struct CommandSpecLoaderTests {
    // MARK: - The shipped specs

    @Test("the shipped commands/ loads with no diagnostics, one spec per subcommand")
    func shippedSpecsLoad() throws {
        let specs = try CommandSpecLoader.load(directory: Repository.commands)
        #expect(specs.map(\.name) == Subcommand.allCases.map(\.rawValue).sorted())
        for spec in specs {
            // At the `name:` line, after any leading comment.
            let file = Repository.commands + "/\(spec.name).yaml"
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let nameLine = (lines.firstIndex { $0.hasPrefix("name:") } ?? -1) + 1
            #expect(spec.source == SourceLocation(file: file, line: nameLine))
            #expect(!spec.summary.isEmpty && !spec.help.isEmpty, "\(spec.name) needs a summary and help")
            #expect((1...4).contains(spec.examples.count), "\(spec.name) needs 1 to 4 examples")
        }
    }

    @Test("open is decoded as written")
    func openSpec() throws {
        let open = try #require(try CommandSpecLoader.load(directory: Repository.commands).first { $0.name == "open" })
        #expect(open.aliases == ["declare", "new"])
        #expect(open.arguments == [
            ArgumentSpec(name: "severity", type: .severity, group: "classification"),
            ArgumentSpec(name: "category", type: .category, group: "classification"),
            ArgumentSpec(name: "title", type: .text),
        ])
        #expect(open.options.map(\.name) == ["playbook", "ref", "known"])
        #expect(open.options.map(\.type) == [.word, .word, .time])
        #expect(open.options.map(\.repeatable) == [false, true, false])
    }

    @Test("list's scope is an optional choice before an optional category")
    func listSpec() throws {
        let list = try #require(try CommandSpecLoader.load(directory: Repository.commands).first { $0.name == "list" })
        #expect(list.arguments == [
            ArgumentSpec(name: "scope", type: .choice, optional: true, values: ["open", "mine", "breached", "resolved", "closed", "followups", "all"]),
            ArgumentSpec(name: "category", type: .category, optional: true),
        ])
    }

    @Test("every shipped example parses with the default policy")
    func examplesParse() throws {
        let specs = try CommandSpecLoader.load(directory: Repository.commands)
        let parser = CommandParser(specs: specs, policy: .defaults)
        for spec in specs {
            for example in spec.examples {
                let parsed = try parser.parse(example)
                #expect(parsed.subcommand.rawValue == spec.name, "\(example)")
            }
        }
    }

    @Test("resolve's help says a resolution is required")
    func resolveHelp() throws {
        let resolve = try #require(try CommandSpecLoader.load(directory: Repository.commands).first { $0.name == "resolve" })
        #expect(resolve.help.contains("A resolution is required"))
    }

    // MARK: - Mistakes

    static let ack = """
        name: ack
        summary: Acknowledge an incident.
        usage: ack <id>
        arguments:
          - {name: id, type: incident}
        examples: [ack INC-1]
        """

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Files written into an empty directory besides `ack.yaml` (replaced when named here).
        var files: [String: String]
        /// Expected diagnostics, with paths relative to the directory.
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "missing required keys", files: ["ack.yaml": "name: ack\n"], expected: [
            #"ack.yaml:1: missing required key "summary""#, #"ack.yaml:1: missing required key "usage""#,
        ]),
        Case(name: "unknown key with suggestion", files: ["ack.yaml": ack + "\nalias: [acknowledge]\n"],
             expected: [#"ack.yaml:7: unknown key "alias" (did you mean "aliases"?)"#]),
        Case(name: "unknown argument type with suggestion", files: ["sev.yaml": """
            name: sev
            summary: Change severity.
            usage: sev <id> <severity>
            arguments:
              - {name: id, type: incident}
              - {name: severity, type: sevrity}
            """], expected: [#"sev.yaml:6: unknown type "sevrity" for arguments[1] (did you mean "severity"?)"#]),
        Case(name: "text argument not last", files: ["note.yaml": """
            name: note
            summary: Add a note.
            usage: note <text…> <id>
            arguments:
              - {name: text, type: text}
              - {name: id, type: incident}
            """], expected: [#"note.yaml:5: text argument "text" must be the last argument (it takes the rest of the line)"#]),
        Case(name: "required after optional", files: ["assign.yaml": """
            name: assign
            summary: Assign.
            usage: assign [<id>] <@user>
            arguments:
              - {name: id, type: incident, optional: true}
              - {name: user, type: user}
            """], expected: [#"assign.yaml:6: required argument "user" comes after optional argument "id""#]),
        Case(name: "choice without values", files: ["list.yaml": """
            name: list
            summary: List.
            usage: list [scope]
            arguments:
              - {name: scope, type: choice, optional: true}
            """], expected: [#"list.yaml:5: choice argument "scope" needs values: [...]"#]),
        Case(name: "values on a non-choice", files: ["list.yaml": """
            name: list
            summary: List.
            usage: list [category]
            arguments:
              - {name: category, type: category, optional: true, values: [fraud]}
            """], expected: [#"list.yaml:5: values are only used by choice arguments, and "category" is a category"#]),
        Case(name: "option of type choice", files: ["list.yaml": """
            name: list
            summary: List.
            usage: list [--sort ORDER]
            options:
              - {name: sort, type: choice}
            """], expected: ["list.yaml:5: option --sort cannot be of type choice (an option takes one value: use word, time, user, …)"]),
        Case(name: "group split by another argument", files: ["open.yaml": """
            name: open
            summary: Open.
            usage: open <severity> <title> <category>
            arguments:
              - {name: severity, type: severity, group: classification}
              - {name: title, type: word}
              - {name: category, type: category, group: classification}
            """], expected: [#"open.yaml:7: arguments of group "classification" must be next to each other"#]),
        Case(name: "usage does not mention an argument or option", files: ["open.yaml": """
            name: open
            summary: Open.
            usage: open <severity> <title…>
            arguments:
              - {name: severity, type: severity}
              - {name: category, type: category}
              - {name: title, type: text}
            options:
              - {name: ref, type: word}
            """], expected: [
                #"open.yaml:3: usage does not mention argument "category""#, "open.yaml:3: usage does not mention option --ref",
            ]),
        Case(name: "file named after another command", files: ["acknowledge.yaml": ack.replacingOccurrences(of: "name: ack", with: "name: acknowledge")
            .replacingOccurrences(of: "usage: ack", with: "usage: acknowledge").replacingOccurrences(of: "[ack INC-1]", with: "[acknowledge INC-1]"),
            "ack.yaml": ack.replacingOccurrences(of: "name: ack", with: "name: ak")], expected: [
            #"ack.yaml:1: command "ak" must be in a file named ak.yaml"#,
            #"ack.yaml:6: example "ack INC-1" must start with ak or one of its aliases (without /incident)"#,
        ]),
        Case(name: "alias clashing with another command's name", files: ["note.yaml": """
            name: note
            aliases: [comment, ack]
            summary: Add a note.
            usage: note <id> <text…>
            arguments:
              - {name: id, type: incident}
              - {name: text, type: text}
            """], expected: ["note.yaml:2: alias \"ack\" of note is already the name of a command (DIR/ack.yaml:1)"]),
        Case(name: "alias claimed by two commands", files: [
            "ack.yaml": ack + "\naliases: [ok]\n",
            "note.yaml": "name: note\naliases:\n  - ok\nsummary: Note.\nusage: note <id>\narguments: [{name: id, type: incident}]\n",
        ], expected: ["note.yaml:3: alias \"ok\" of note is already an alias of ack (DIR/ack.yaml:7)"]),
        Case(name: "uppercase name and alias", files: ["ack.yaml": ack.replacingOccurrences(of: "name: ack", with: "name: Ack")
            + "\naliases: [ACK]\n"], expected: [
            #"ack.yaml:1: command name "Ack" must be lowercase letters, digits or -, starting with a letter"#,
        ]),
        Case(name: "an example for another command", files: ["ack.yaml": ack.replacingOccurrences(of: "[ack INC-1]", with: "[\"/incident ack INC-1\"]")],
             expected: [#"ack.yaml:6: example "/incident ack INC-1" must start with ack or one of its aliases (without /incident)"#]),
        Case(name: "a .yml file", files: ["note.yml": "name: note\n"],
             expected: ["note.yml: command specs end in .yaml: rename it to note.yaml"]),
    ]

    @Test(arguments: cases)
    func mistake(_ testCase: Case) throws {
        // setup
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("ack.yaml", Self.ack)
        for (name, text) in testCase.files { try directory.write(name, text) }

        // MUT
        let error = #expect(throws: ConfigurationError.self) { try CommandSpecLoader.load(directory: directory.path) }

        // validate
        let expected = testCase.expected.map { directory.path + "/" + $0.replacingOccurrences(of: "DIR", with: directory.path) }
        #expect(error?.diagnostics.map(\.description) == expected)
    }

    @Test("a missing or empty directory is one diagnostic")
    func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let empty = #expect(throws: ConfigurationError.self) { try CommandSpecLoader.load(directory: directory.path) }
        #expect(empty?.description == "\(directory.path): no command specs (*.yaml) in \(directory.path)")
        let missing = #expect(throws: ConfigurationError.self) { try CommandSpecLoader.load(directory: directory.path + "/nope") }
        #expect(missing?.description == "\(directory.path)/nope: command specs directory \(directory.path)/nope does not exist")
    }

    @Test("one spec decodes from text")
    func decodeOne() throws {
        let spec = try CommandSpecLoader.decode(yaml: Self.ack, file: "commands/ack.yaml")
        #expect(spec.name == "ack")
        #expect(spec.arguments == [ArgumentSpec(name: "id", type: .incident)])
        #expect(spec.source == SourceLocation(file: "commands/ack.yaml", line: 1))
    }
}
