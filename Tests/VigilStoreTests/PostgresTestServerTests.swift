import Foundation
import Testing
import VigilTestSupport

@Suite("PostgresTestServer")
struct PostgresTestServerTests {
    @Test("the shared server hands out separate databases, each reachable at its URL")
    func separateDatabases() throws {
        let server = try PostgresTestServer.shared
        let first = try server.createDatabase()
        let second = try server.createDatabase()
        #expect(first != second)
        #expect(first.hasPrefix("postgres://vigil@127.0.0.1:\(server.port)/"))
        // The project has no PostgreSQL client library yet: psql from the server's own installation.
        for url in [first, second] {
            #expect(try psql(server, url, "select current_database()") == URL(string: url)?.lastPathComponent)
        }
    }

    /// Runs one statement through `psql -X -At` and returns its output, trimmed.
    private func psql(_ server: PostgresTestServer, _ url: String, _ statement: String) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-psql-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let status = try ProgramRun.run(
            server.programPath("psql"), ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", statement, url],
            environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"], directory: "/", outputPath: output.path)
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(status == 0, "psql: \(text)")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
