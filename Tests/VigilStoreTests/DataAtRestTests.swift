import Foundation
import Testing
import VigilCore
@testable import VigilStore
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding 7 (data at rest): the SQLite files were created 0644 and hold restricted titles in
/// clear. The umask is set to a permissive 022 for these tests, as on most machines.
@Suite(.serialized) struct DataAtRestTests {
    static func mode(_ path: String) -> mode_t? { FilePermissions.bits(of: path) }

    static func withPermissiveUmask(_ body: () async throws -> Void) async rethrows {
        try await FilePermissions.withPermissiveUmask(body)
    }

    @Test func finding7_theDatabaseAndItsWALAndSHMFilesAreCreated0600() async throws {
        try await Self.withPermissiveUmask {
            try await withDatabasePath { path in
                // MUT: a new database, written to (which creates the -wal and -shm files)
                let store = try SQLiteIncidentStore.open(path: path)
                try await store.commit(postWork(requestID: "r", count: 1))
                // validate
                for file in [path, path + "-wal", path + "-shm"] {
                    #expect(FileManager.default.fileExists(atPath: file), "\(file) is missing")
                    #expect(Self.mode(file) == 0o600, "\(file) is \(String(Self.mode(file) ?? 0, radix: 8))")
                }
                await store.close()
            }
        }
    }

    @Test func finding7_filesLeftReadableByOthersAreNarrowedAtOpen() async throws {
        try await Self.withPermissiveUmask {
            try await withDatabasePath { path in
                // setup: a database an older Vigil left 0644, with its WAL
                let old = try SQLiteIncidentStore.open(path: path)
                try await old.commit(postWork(requestID: "r", count: 1))
                for file in [path, path + "-wal", path + "-shm"] { chmod(file, 0o644) }
                // MUT: open it again while the first connection still holds the WAL
                let store = try SQLiteIncidentStore.open(path: path)
                // validate
                for file in [path, path + "-wal", path + "-shm"] {
                    #expect(Self.mode(file) == 0o600, "\(file) is \(String(Self.mode(file) ?? 0, radix: 8))")
                }
                #expect(try await store.storedReply(requestID: "r") != nil)
                await store.close()
                await old.close()
            }
        }
    }

    @Test func finding7_anInMemoryDatabaseTouchesNoFile() throws {
        #expect(throws: Never.self) { _ = try SQLiteDatabase(path: ":memory:") }
        #expect(!FileManager.default.fileExists(atPath: ":memory:"))
    }
}
