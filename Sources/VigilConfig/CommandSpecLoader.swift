import Foundation
import VigilCore

/// Loads `commands/`: one `<name>.yaml` per subcommand, checked one by one and then together
/// (no name or alias may be claimed twice).
public enum CommandSpecLoader {
    /// The specs in `directory`, sorted by name, each with `source` at its `name:` line.
    ///
    /// - Throws: every problem in every file, each as `file:line: message`.
    public static func load(directory: String) throws(ConfigurationError) -> [CommandSpec] {
        let (specs, diagnostics) = collect(directory: directory)
        guard diagnostics.isEmpty else { throw ConfigurationError(diagnostics: diagnostics) }
        return specs
    }

    /// Decodes one spec file's text; `file` must be named `<name>.yaml`.
    public static func decode(yaml: String, file: String) throws(ConfigurationError) -> CommandSpec {
        let reader = YAMLReader(file: file, environment: nil)
        let decoded = reader.compose(yaml).flatMap {
            CommandSpecDecoder(reader: reader).decode($0, expectedName: expectedName(of: file))
        }
        guard let decoded, reader.diagnostics.isEmpty else { throw ConfigurationError(diagnostics: reader.diagnostics) }
        return decoded.spec
    }

    /// The specs that decoded and every diagnostic; `referencedAt` is where the directory was
    /// configured, for a "not found" message.
    static func collect(directory: String, referencedAt: SourceLocation? = nil) -> ([CommandSpec], [Diagnostic]) {
        let notFound = referencedAt ?? SourceLocation(file: directory, line: 0)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return ([], [Diagnostic(location: notFound, message: "command specs directory \(directory) does not exist")])
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        var diagnostics: [Diagnostic] = []
        var decoded: [CommandSpecDecoder.Decoded] = []
        for name in names where !name.hasPrefix(".") {
            let file = NSString(string: directory).appendingPathComponent(name)
            if name.hasSuffix(".yml") {
                let renamed = String(name.dropLast(4)) + ".yaml"
                diagnostics.append(Diagnostic(file: file, line: 0, "command specs end in .yaml: rename it to \(renamed)"))
                continue
            }
            guard name.hasSuffix(".yaml") else { continue }
            guard let text = readText(file) else {
                diagnostics.append(Diagnostic(file: file, line: 0, "cannot read the command spec (\(readProblem(file)))"))
                continue
            }
            let reader = YAMLReader(file: file, environment: nil)
            if let root = reader.compose(text),
               let spec = CommandSpecDecoder(reader: reader).decode(root, expectedName: expectedName(of: name)) {
                decoded.append(spec)
            }
            diagnostics += reader.diagnostics.sorted { $0.location.line < $1.location.line }
        }
        if decoded.isEmpty, diagnostics.isEmpty {
            diagnostics.append(Diagnostic(location: notFound, message: "no command specs (*.yaml) in \(directory)"))
        }
        diagnostics += clashes(decoded)
        let specs = decoded.map(\.spec).sorted { $0.name < $1.name }
        return (specs, diagnostics)
    }

    /// `open` for `commands/open.yaml`.
    private static func expectedName(of file: String) -> String {
        let base = NSString(string: file).lastPathComponent
        return base.hasSuffix(".yaml") ? String(base.dropLast(5)) : base
    }

    /// A typed word must lead to one subcommand: names and aliases are unique across all files.
    private static func clashes(_ specs: [CommandSpecDecoder.Decoded]) -> [Diagnostic] {
        var claimed: [String: (owner: String, isAlias: Bool, location: SourceLocation)] = [:]
        var diagnostics: [Diagnostic] = []
        for decoded in specs {
            let spec = decoded.spec
            let file = spec.source?.file ?? spec.name
            let words = [(spec.name, false, decoded.nameLine)] + zip(spec.aliases, decoded.aliasLines).map { ($0, true, $1) }
            for (word, isAlias, line) in words {
                let here = SourceLocation(file: file, line: line)
                if let previous = claimed[word] {
                    let what = isAlias ? "alias \"\(word)\" of \(spec.name)" : "command name \"\(word)\""
                    let theirs = previous.isAlias ? "an alias of \(previous.owner)" : "the name of a command"
                    diagnostics.append(Diagnostic(location: here, message: "\(what) is already \(theirs) (\(previous.location))"))
                    continue
                }
                claimed[word] = (spec.name, isAlias, here)
            }
        }
        return diagnostics
    }
}
