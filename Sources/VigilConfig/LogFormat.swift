/// `log_format`: how `vigil serve` writes its log lines to standard error.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    /// One readable line per entry: time, level, label, metadata, message.
    case text
    /// One JSON object per line: `ts`, `level`, `label`, `msg`, then the metadata as strings.
    case json
}
