import Foundation
import VigilConfig

extension StoreOpener {
    /// The configuration a command-line tool reads the store of: the config's (`configPath`, or
    /// `vigil.yaml` in `workingDirectory`), or local mode's `vigil.sqlite` there; `database`
    /// (the `--database` option) overrides either. A tool never creates a database: an SQLite
    /// file that does not exist is a ``SetupError``, as is a `database` that does not parse.
    public static func toolConfiguration(
        configPath: String?, database: String?, workingDirectory: String, environment: [String: String]
    ) throws -> VigilConfiguration {
        var configuration = VigilConfiguration(
            database: .sqlite(path: (workingDirectory as NSString).appendingPathComponent(LocalMode.databaseFileName)),
            commandsDirectory: ShippedData.directory("commands", near: workingDirectory),
            playbooksDirectory: ShippedData.directory("playbooks", near: workingDirectory))
        if let path = ServeSetup.configPath(given: configPath, workingDirectory: workingDirectory) {
            configuration = try VigilConfiguration.load(path: path, environment: environment)
        }
        if let database {
            do {
                configuration.database = try DatabaseLocation.parse(database, relativeTo: workingDirectory)
            } catch {
                throw SetupError("--database: \(error)")
            }
        }
        if let path = configuration.database.sqlitePath, !FileManager.default.fileExists(atPath: path) {
            throw SetupError("there is no database at \(path); point --config or --database at Vigil's")
        }
        return configuration
    }
}
