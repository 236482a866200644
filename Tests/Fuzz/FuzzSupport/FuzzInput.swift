/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, in the forms the harnesses feed on.
public enum FuzzInput {
    /// The input as bytes (valid only during the call).
    public static func bytes(_ start: UnsafeRawPointer?, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: count > 0 ? start : nil, count: count)
    }

    /// The input as text the way chat text reaches the core: any bytes, with invalid UTF-8
    /// replaced (the form decoder has already turned bytes into a `String` by then).
    public static func text(_ start: UnsafeRawPointer?, _ count: Int) -> String {
        String(decoding: bytes(start, count), as: UTF8.self)
    }

    /// The input as a file's text: `nil` unless it is valid UTF-8, as the config loader reads it.
    public static func strictText(_ start: UnsafeRawPointer?, _ count: Int) -> String? {
        String(validating: bytes(start, count), as: UTF8.self)
    }
}
