import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where log lines go: standard error in service, a recording in tests.
public protocol LogSink: Sendable {
    /// Writes `line` (which ends in a newline) whole: lines written at once from several tasks
    /// never interleave.
    func write(line: String)
}

/// Writes lines to a file descriptor, each in one `write(2)` under a lock, so that lines from
/// concurrent tasks never interleave (a line longer than the pipe's atomic size would be split
/// by the kernel between readers otherwise; the lock keeps this process's lines whole).
public final class FileDescriptorLogSink: LogSink {
    /// The process's standard error, shared by every handler.
    public static let standardError = FileDescriptorLogSink(descriptor: STDERR_FILENO)

    private let descriptor: Int32
    private let lock = Mutex(())

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    public func write(line: String) {
        let bytes = Array(line.utf8)
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = writeSome(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        // Nowhere left to report a failing log: drop the line rather than spin.
                        return
                    }
                }
            }
        }
    }
}

/// `write(2)`, named apart from ``LogSink/write(line:)``.
private func writeSome(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}
