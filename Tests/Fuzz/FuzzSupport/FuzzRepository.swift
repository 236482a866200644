import Foundation
import VigilConfig
import VigilCore

/// The repository the harnesses were built from: its command specs and example config are the
/// ones a real deployment parses against, loaded once when a harness starts.
public enum FuzzRepository {
    /// The checkout's root, found from this file's path (Tests/Fuzz/FuzzSupport/…).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `vigil.example.yaml`'s policy (severities, categories, time zone) and `commands/`'s specs,
    /// as `vigil serve` would parse commands with them. A harness cannot fuzz the parser without
    /// them, so a failure to load stops the harness at once with the reason.
    public static let parser: CommandParser = {
        let specs: [CommandSpec]
        do {
            specs = try CommandSpecLoader.load(directory: root + "/commands")
        } catch {
            fatalError("fuzz: cannot load \(root)/commands: \(error)")
        }
        return CommandParser(specs: specs, policy: examplePolicy)
    }()

    /// The policy of `vigil.example.yaml`, with every `${VAR}` in it set to a placeholder.
    public static let examplePolicy: Policy = {
        let path = root + "/vigil.example.yaml"
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            fatalError("fuzz: cannot read \(path)")
        }
        let environment = Dictionary(variables(in: text).map { ($0, "fuzz-placeholder") }, uniquingKeysWith: { a, _ in a })
        do {
            return try VigilConfiguration.decode(yaml: text, file: path, directory: root, environment: environment).policy
        } catch {
            fatalError("fuzz: \(path) does not decode: \(error)")
        }
    }()

    /// The names written as `${NAME}` in `text`.
    static func variables(in text: String) -> [String] {
        text.components(separatedBy: "${").dropFirst().compactMap { rest in
            rest.firstIndex(of: "}").map { String(rest[..<$0]) }
        }
    }
}
