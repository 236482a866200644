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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: server.programPath("psql"))
        process.arguments = ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", statement, url]
        process.environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "psql: \(text)")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
