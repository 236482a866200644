import Logging

/// Wraps another handler and redacts configured secrets from everything it would write: the
/// message, the metadata (the handler's own, the metadata provider's and the call's), and an
/// error passed with the entry. Both log formats go through it, so the guarantee holds whatever
/// `log_format` says.
public struct RedactingLogHandler: LogHandler {
    var inner: any LogHandler
    let redactor: LogRedactor
    /// Kept here rather than in `inner`: its metadata must be redacted too, so it is read here.
    public var metadataProvider: Logger.MetadataProvider?

    public init(_ inner: any LogHandler, redactor: LogRedactor, metadataProvider: Logger.MetadataProvider? = nil) {
        self.inner = inner
        self.redactor = redactor
        self.metadataProvider = metadataProvider
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = redactor.redact(newValue) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(redactor.redact) }
    }

    public func log(event: LogEvent) {
        var event = event
        var metadata = metadataProvider?.get() ?? [:]
        metadata.merge(event.metadata ?? [:]) { _, explicit in explicit }
        if let error = event.error {
            // As StreamLogHandler shows an error, but redacted: its description may quote anything.
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
            event.error = nil
        }
        event.message = "\(redactor.redact(event.message.description))"
        event.metadata = metadata.isEmpty ? nil : redactor.redact(metadata)
        inner.log(event: event)
    }
}
