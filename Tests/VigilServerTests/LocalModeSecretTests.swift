import Foundation
import Testing
@testable import VigilServer
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding 7 (data at rest): local mode's signing secret is private to its owner, whatever the
/// umask, including a secret file an older Vigil or a copy left readable by others.
@Suite(.serialized) struct LocalModeSecretTests {
    static func mode(_ path: String) -> mode_t? { FilePermissions.bits(of: path) }

    static func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FilePermissions.withPermissiveUmask { try body(directory) }
    }

    @Test func finding7_theSecretIsCreated0600() throws {
        try Self.withDirectory { directory in
            let secret = try LocalMode.loadOrCreateSecret(in: directory.path)
            let path = directory.appendingPathComponent(LocalMode.secretFileName).path
            #expect(Self.mode(path) == 0o600)
            #expect(secret.count == 64)
            #expect(LocalMode.existingSecret(in: directory.path) == secret)
        }
    }

    @Test func finding7_aSecretReadableByOthersIsNarrowedTo0600() throws {
        try Self.withDirectory { directory in
            let path = directory.appendingPathComponent(LocalMode.secretFileName).path
            try "0123456789abcdef\n".write(toFile: path, atomically: false, encoding: .utf8)
            chmod(path, 0o644)
            #expect(try LocalMode.loadOrCreateSecret(in: directory.path) == "0123456789abcdef")
            #expect(Self.mode(path) == 0o600)
        }
    }

    @Test func anEmptySecretFileIsReplaced() throws {
        try Self.withDirectory { directory in
            let path = directory.appendingPathComponent(LocalMode.secretFileName).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data()))
            let secret = try LocalMode.loadOrCreateSecret(in: directory.path)
            #expect(secret.count == 64)
            #expect(Self.mode(path) == 0o600)
        }
    }
}
