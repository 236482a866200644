import Foundation
import VigilConfig
import VigilCore
import VigilStore

/// `vigil db copy --from URL --to URL`: moves a team's whole history from one store into a new,
/// empty one (SQLite to PostgreSQL when a team moves to replicas, or back), then verifies it.
public enum DatabaseCopy {
    /// Copies `from` into `to` (URLs as `database:` takes them, relative paths against
    /// `workingDirectory`). The source must exist and is only read; the target must be empty.
    /// Stop every Vigil writing to the source first: rows committed during the copy are not
    /// copied.
    public static func run(from: String, to: String, workingDirectory: String) async throws -> StoreCopyReport {
        let source = try location(from, "--from", workingDirectory)
        let target = try location(to, "--to", workingDirectory)
        guard source != target else { throw SetupError("--from and --to name the same database") }
        if let path = source.sqlitePath, path != ":memory:", !FileManager.default.fileExists(atPath: path) {
            throw SetupError("--from: there is no database at \(path)")
        }
        let from = try await StoreOpener.open(source)
        StoreOpener.startIfNeeded(from)
        do {
            let into = try await StoreOpener.open(target)
            StoreOpener.startIfNeeded(into)
            do {
                let report = try await StoreCopy.copy(from: from, to: into)
                await StoreOpener.close(into)
                await StoreOpener.close(from)
                return report
            } catch {
                await StoreOpener.close(into)
                throw error
            }
        } catch {
            await StoreOpener.close(from)
            throw error
        }
    }

    private static func location(_ text: String, _ option: String, _ directory: String) throws -> DatabaseLocation {
        do {
            return try DatabaseLocation.parse(text, relativeTo: directory)
        } catch {
            throw SetupError("\(option): \(error)")
        }
    }

    /// The summary `vigil db copy` prints.
    public static func summary(_ report: StoreCopyReport) -> String {
        let tables = ["incidents", "events", "clocks", "outbox", "idempotency", "once_keys"]
        let counts = tables.map { "\(report.rows[$0, default: 0]) \($0 == "idempotency" ? "requests" : $0 == "once_keys" ? "once-keys" : $0)" }
        return "Copied \(counts.joined(separator: ", ")); \(report.verifiedIncidents) event chains verified in the copy."
    }
}
