import FuzzSupport
import VigilConfig
import VigilCore

/// `vigil.yaml`: the input is the whole file, decoded by the path `vigil check` and `vigil serve`
/// take (``VigilConfiguration/decode(yaml:file:directory:environment:)``, which reads no file).
/// Any text either decodes or is refused with diagnostics that name a line in the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    // The loader reads the file as UTF-8 and refuses anything else before parsing.
    guard let text = FuzzInput.strictText(start, count) else { return 0 }
    do {
        let configuration = try VigilConfiguration.decode(yaml: text, file: "vigil.yaml", directory: "/srv/vigil", environment: environment)
        _ = configuration.playbookRoles
        for role in ChannelRole.allCases { _ = configuration.channel(role) }
    } catch {
        FuzzOracle.expect(!error.diagnostics.isEmpty, "a refused config without a diagnostic")
        for diagnostic in error.diagnostics {
            FuzzOracle.expect(diagnostic.location.line >= 0, "a diagnostic at line \(diagnostic.location.line): \(diagnostic)")
        }
        _ = error.description
    }
    return 0
}

/// The variables vigil.example.yaml names, and one left unset so that a missing one is reported.
private let environment = [
    "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
    "MATTERMOST_TOKEN": "qzgakf1nx3yt9dr4n8585ihbxy",
    "SLACK_INCIDENTS_WEBHOOK": "https://hooks.slack.com/services/T0/B0/x",
]
