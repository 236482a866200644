import Foundation
import VigilCore

/// Loads `playbooks/`: one `<id>.yaml` (or `NN-<id>.yaml`) per playbook, checked one by one
/// against the policy and roles, then together (no id, type or alias may be used twice).
///
/// File-name order matters: when an incident is opened without `--playbook`, its playbook is
/// the first, in this order, whose `applies_to` matches it.
public enum PlaybookLoader {
    /// The playbooks in `directory` in file-name order, each with `source` at its `id:` line
    /// (and each step's at its own `id:`).
    ///
    /// A directory that does not exist is an error, not "no playbooks": a mistyped path or a
    /// deploy that forgot the directory would otherwise run without the SOPs and their legal
    /// clocks, silently. An empty directory is no playbooks.
    ///
    /// - Parameters:
    ///   - policy: the severities and categories `applies_to` and `when` may name.
    ///   - roles: the roles a step's `owner` may name (see ``VigilConfiguration/playbookRoles``).
    /// - Throws: every problem in every file, each as `file:line: message`.
    public static func load(directory: String, policy: Policy, roles: [String]) throws(ConfigurationError) -> [Playbook] {
        let (playbooks, diagnostics) = collect(directory: directory, policy: policy, roles: roles)
        guard diagnostics.isEmpty else { throw ConfigurationError(diagnostics: diagnostics) }
        return playbooks
    }

    /// Decodes one playbook file's text; `file` must be named `<id>.yaml` or `NN-<id>.yaml`.
    public static func decode(yaml: String, file: String, policy: Policy, roles: [String]) throws(ConfigurationError) -> Playbook {
        let reader = YAMLReader(file: file, environment: nil)
        let decoder = PlaybookDecoder(reader: reader, policy: policy, roles: roles)
        let playbook = reader.compose(yaml).flatMap { decoder.decode($0, fileName: NSString(string: file).lastPathComponent)?.playbook }
        guard let playbook, reader.diagnostics.isEmpty else { throw ConfigurationError(diagnostics: sorted(reader.diagnostics)) }
        return playbook
    }

    /// Why a playbooks directory that does not exist is not simply empty, and how to fix it.
    static func notFound(_ directory: String) -> String {
        "playbooks directory \(directory) does not exist; create it (empty for no playbooks) or set playbooks: in the config "
            + "(relative to the config file's directory; with no config file, playbooks/ in the working directory, else the "
            + "shipped ones)"
    }

    /// The playbooks that decoded and every diagnostic, file by file in file-name order.
    /// `notFound` replaces the generic diagnostic for a directory that does not exist (`vigil
    /// check` points at the config's `playbooks:` key).
    static func collect(
        directory: String, policy: Policy, roles: [String], notFound: Diagnostic? = nil
    ) -> ([Playbook], [Diagnostic]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return ([], [notFound ?? Diagnostic(file: directory, line: 0, Self.notFound(directory))])
        }
        guard isDirectory.boolValue else {
            return ([], [Diagnostic(file: directory, line: 0, "the playbooks directory is a file")])
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        var playbooks: [Playbook] = []
        var diagnostics: [Diagnostic] = []
        var defined: [String: SourceLocation] = [:]
        var claimed: [String: Claim] = [:]
        for name in names where !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) {
            let file = NSString(string: directory).appendingPathComponent(name)
            guard let text = readText(file) else {
                diagnostics.append(Diagnostic(file: file, line: 0, "cannot read the playbook (\(readProblem(file)))"))
                continue
            }
            let reader = YAMLReader(file: file, environment: nil)
            let decoder = PlaybookDecoder(reader: reader, policy: policy, roles: roles)
            if let root = reader.compose(text), let decoded = decoder.decode(root, fileName: name) {
                let playbook = decoded.playbook
                let here = playbook.source ?? SourceLocation(file: file, line: 1)
                if let first = defined[playbook.id] {
                    reader.error("duplicate playbook id \"\(playbook.id)\" (first defined at \(first))", line: here.line)
                } else {
                    defined[playbook.id] = here
                    claim(decoded, in: &claimed, reader: reader)
                    playbooks.append(playbook)
                }
            }
            diagnostics += sorted(reader.diagnostics)
        }
        return (playbooks, diagnostics)
    }

    /// A type or alias and the playbook that has it.
    private struct Claim {
        var playbook: String
        var isAlias: Bool
        var location: SourceLocation
    }

    /// `open sev1 tco` must lead to one playbook: types and aliases are unique across all files.
    /// Words already claimed by an earlier file are reported at this file's line.
    private static func claim(_ decoded: PlaybookDecoder.Decoded, in claimed: inout [String: Claim], reader: YAMLReader) {
        let playbook = decoded.playbook
        let words = [(playbook.type, false, decoded.typeLine)] + zip(playbook.aliases, decoded.aliasLines).map { ($0, true, $1) }
        for (word, isAlias, line) in words {
            if let previous = claimed[word] {
                let what = "\(isAlias ? "alias" : "type") \"\(word)\" of playbook \(playbook.id)"
                let theirs = "\(previous.isAlias ? "an alias" : "the type") of playbook \(previous.playbook)"
                reader.error("\(what) is already \(theirs) (\(previous.location))", line: line)
                continue
            }
            claimed[word] = Claim(playbook: playbook.id, isAlias: isAlias, location: SourceLocation(file: reader.file, line: line))
        }
    }

    /// In line order; problems on one line keep the order they were found in.
    private static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated()
            .sorted { ($0.element.location.line, $0.offset) < ($1.element.location.line, $1.offset) }
            .map(\.element)
    }
}
