import Foundation
import Yams

/// Reading `vigil.yaml`.
extension VigilConfiguration {
    /// Reads and decodes the config file at `path`.
    ///
    /// - Parameters:
    ///   - path: as the user gave it; diagnostics name the file this way.
    ///   - environment: the values for `${VAR}` (the process environment, passed in by `main`).
    ///   - workingDirectory: what a relative `path` is relative to.
    /// - Throws: every problem found, each as `file:line: message`.
    public static func load(
        path: String, environment: [String: String],
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigurationError) -> VigilConfiguration {
        let outcome = decodeFile(path: path, environment: environment, workingDirectory: workingDirectory)
        guard let configuration = outcome.configuration else {
            throw ConfigurationError(diagnostics: outcome.diagnostics)
        }
        return configuration
    }

    /// Reads only the top-level `sections` of the config file at `path`, for tools that need a
    /// few keys (`vigil send` needs `listen` and one platform's secret): a `${VAR}` that is unset,
    /// or any other problem, in a section not read is no error. Keys not read take their defaults.
    ///
    /// - Throws: the problems found in the sections read, each as `file:line: message`.
    public static func load(
        path: String, sections: Set<String>, environment: [String: String],
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigurationError) -> VigilConfiguration {
        let absolute = ConfigPaths.resolve(path, relativeTo: workingDirectory)
        let directory = ConfigPaths.directory(of: path, workingDirectory: workingDirectory)
        guard let text = readText(absolute) else {
            throw ConfigurationError(diagnostics: [
                Diagnostic(file: path, line: 0, "cannot read the config file (\(readProblem(absolute)))")
            ])
        }
        let reader = YAMLReader(file: path, environment: environment)
        guard var root = reader.compose(text) else { throw ConfigurationError(diagnostics: reader.diagnostics) }
        if case let .mapping(mapping) = root {
            let kept = mapping.filter { pair in pair.key.scalar.map { sections.contains($0.string) } ?? false }
            root = .mapping(Node.Mapping(kept.map { ($0.key, $0.value) }, mapping.tag, mapping.style, mapping.mark))
        }
        let outcome = ConfigurationDecoder(reader: reader, directory: directory).decode(root)
        guard let configuration = outcome.configuration else { throw ConfigurationError(diagnostics: outcome.diagnostics) }
        return configuration
    }

    /// Decodes config text; relative paths in it resolve against `directory`.
    public static func decode(
        yaml: String, file: String, directory: String, environment: [String: String]
    ) throws(ConfigurationError) -> VigilConfiguration {
        let outcome = decodeText(yaml, file: file, directory: directory, environment: environment)
        guard let configuration = outcome.configuration else {
            throw ConfigurationError(diagnostics: outcome.diagnostics)
        }
        return configuration
    }

    // MARK: - Shared with `vigil check`

    static func decodeFile(path: String, environment: [String: String], workingDirectory: String) -> ConfigurationDecoder.Outcome {
        let absolute = ConfigPaths.resolve(path, relativeTo: workingDirectory)
        let directory = ConfigPaths.directory(of: path, workingDirectory: workingDirectory)
        guard let text = readText(absolute) else {
            return .unreadable(
                directory: directory,
                diagnostics: [Diagnostic(file: path, line: 0, "cannot read the config file (\(readProblem(absolute)))")])
        }
        return decodeText(text, file: path, directory: directory, environment: environment)
    }

    static func decodeText(_ text: String, file: String, directory: String, environment: [String: String]) -> ConfigurationDecoder.Outcome {
        let reader = YAMLReader(file: file, environment: environment)
        guard let root = reader.compose(text) else {
            return .unreadable(directory: directory, diagnostics: reader.diagnostics)
        }
        return ConfigurationDecoder(reader: reader, directory: directory).decode(root)
    }
}

/// The contents of a UTF-8 text file, `nil` when it cannot be read.
func readText(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(data: data, encoding: .utf8)
}

/// Why `readText` failed, in words.
func readProblem(_ path: String) -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
    if isDirectory.boolValue { return "it is a directory" }
    return FileManager.default.isReadableFile(atPath: path) ? "not UTF-8 text" : "permission denied"
}
