import Foundation
import Logging
import VigilConfig

/// The log handlers `vigil serve` installs: `log_format`'s format, the level from `LOG_LEVEL`,
/// and the configuration's secrets redacted in either format.
public enum VigilLogging {
    /// `LOG_LEVEL` (trace, debug, info, notice, warning, error, critical) from `environment`;
    /// info when unset or unknown.
    public static func level(environment: [String: String]) -> Logger.Level {
        environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    }

    /// A handler for `label`: `format` lines at `level` to `sink` (text goes to standard error,
    /// as swift-log writes it), with `secrets` redacted.
    public static func handler(
        label: String, format: LogFormat, level: Logger.Level, secrets: [String],
        sink: any LogSink = FileDescriptorLogSink.standardError
    ) -> RedactingLogHandler {
        var inner: any LogHandler =
            switch format {
            case .text: StreamLogHandler.standardError(label: label)
            case .json: JSONLogHandler(label: label, sink: sink)
            }
        inner.logLevel = level
        return RedactingLogHandler(inner, redactor: LogRedactor(secrets: secrets))
    }

    /// Installs the handlers for `configuration`, once per process (swift-log allows only one).
    public static func bootstrap(_ configuration: VigilConfiguration, environment: [String: String]) {
        let format = configuration.logFormat, secrets = configuration.secrets, level = level(environment: environment)
        LoggingSystem.bootstrap { label in handler(label: label, format: format, level: level, secrets: secrets) }
    }
}
