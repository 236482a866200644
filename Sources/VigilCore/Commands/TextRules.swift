/// The one rule every typed text passes before the core acts on it: titles, notes, reasons,
/// resolutions, evidence and `--ref` values all reach channels, exports and other people's
/// screens, so what they may hold is decided here, once, by the parser.
///
/// - Control characters (C0 and C1, NUL included) and bidirectional overrides and isolates
///   (U+202A–U+202E, U+2066–U+2069) are refused anywhere in a command: they hide or reorder text
///   (`INC-7` that reads as `7-CNI`), and nothing a responder types needs them.
/// - A line break in free text (`\n`, `\r\n`, `\r`, U+2028, U+2029 and the other Unicode line
///   breaks) becomes a space, and so does a tab: every text Vigil announces is one line, so a
///   title or note cannot forge a second line such as `INC-99 resolved`.
/// - Titles are capped at ``titleBytes`` and other free text at ``textBytes``, in UTF-8 bytes
///   (what storage and the platforms' limits count), not characters.
/// - A repeatable option is given at most ``maximumRepeats`` times; a `--ref` is 1 to
///   ``refBytes`` characters of a safe set (``isRef(_:)``).
public enum TextRules {
    /// The longest title, in UTF-8 bytes.
    public static let titleBytes = 200
    /// The longest note, resolution, reason or evidence text, in UTF-8 bytes.
    public static let textBytes = 3000
    /// The most `--ref` values (or values of any repeatable option) one command takes.
    public static let maximumRepeats = 10
    /// The longest `--ref`, in bytes (ASCII only, so also characters).
    public static let refBytes = 64

    // MARK: - Refused characters

    /// What is wrong with `text`, naming the first refused character and its class; `nil` when
    /// it holds none. Line breaks and tabs are allowed here (free text turns them into spaces,
    /// and between words they only separate).
    public static func problem(in text: String) -> String? {
        for scalar in text.unicodeScalars {
            if let kind = refusedKind(scalar) {
                return "The command contains \(kind) (\(codePoint(scalar))), which Vigil refuses in typed text. Retype it without that character."
            }
        }
        return nil
    }

    /// The class of a refused scalar, as the error names it; `nil` when it is allowed.
    static func refusedKind(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85: nil  // tab and line breaks: spaces in free text
        case 0x00: "a NUL character"
        case 0x01...0x1F, 0x7F...0x9F: "a control character"
        case 0x202A...0x202E: "a bidirectional override"
        case 0x2066...0x2069: "a bidirectional isolate"
        default: nil
        }
    }

    /// `U+202E`.
    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    // MARK: - Free text

    /// `text` with every line break and tab turned into a space, so it stays on one line.
    public static func oneLine(_ text: String) -> String {
        guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
        return String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    /// The free-text argument `name` as the core receives it: on one line and within its cap.
    /// `title` is capped at ``titleBytes``; every other free text at ``textBytes``.
    public static func freeText(_ text: String, argument name: String, usage: String?) throws(UserError) -> String {
        let line = oneLine(text)
        let limit = name == "title" ? titleBytes : textBytes
        let bytes = line.utf8.count
        guard bytes <= limit else {
            let what = name == "title" ? "title" : label(name)
            let advice = name == "title" ? " Put the details in a note." : " Link to longer material."
            throw UserError("The \(what) is \(bytes) bytes; it may be at most \(limit) bytes (UTF-8).\(advice)", usage: usage)
        }
        return line
    }

    /// How an argument is called in errors: `note` rather than `text`.
    static func label(_ name: String) -> String {
        switch name {
        case "text": "note"
        case "value": "step text"
        default: name
        }
    }

    // MARK: - References

    /// Whether `ref` is a reference Vigil keeps: 1 to ``refBytes`` ASCII letters, digits and
    /// `- _ . : / #`, starting with a letter or digit. Tickets (`ZD-88213`), case numbers
    /// (`NCMEC-2291`) and short paths fit; markup, mentions and spreadsheet formulas do not.
    public static func isRef(_ ref: String) -> Bool {
        let bytes = Array(ref.utf8)
        guard (1...refBytes).contains(bytes.count), let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || "-_.:/#".utf8.contains($0) }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// The refusal of a `--ref` that ``isRef(_:)`` does not accept.
    static func refError(_ ref: String, usage: String?) -> UserError {
        let shown = ref.utf8.count > refBytes ? String(ref.prefix(refBytes)) + "…" : ref
        return UserError(
            "--ref “\(shown)” is not a reference Vigil keeps: 1 to \(refBytes) letters, digits and - _ . : / #, starting with a letter or digit (e.g. ZD-88213).",
            usage: usage)
    }
}

extension TextRules {
    /// ``freeText(_:argument:usage:)`` as the parser's recognisers return values.
    static func freeTextResult(_ text: String, argument name: String, usage: String?) -> Result<ArgumentValue, UserError> {
        do {
            return .success(.text(try freeText(text, argument: name, usage: usage)))
        } catch {
            return .failure(error)
        }
    }
}
