import VigilCore

/// Why an intake body was refused before the policy saw it: not JSON at all (400), or a field
/// of the wrong shape or missing (422, naming the field). Nothing is written either way.
public enum IntakeBodyError: Error, Sendable, Equatable {
    /// Not a JSON object; the server answers 400.
    case malformed(String)
    /// A field the sender must fix; the server answers 422 naming it.
    case field(IntakeError)

    static func field(_ name: String, _ message: String) -> IntakeBodyError { .field(IntakeError(field: name, message)) }
}
