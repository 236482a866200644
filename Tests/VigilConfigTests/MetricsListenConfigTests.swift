import Testing
import VigilConfig

/// `metrics_listen`: where `GET /metrics` is served when it is not on `listen`.
@Suite("vigil.yaml: metrics_listen")
struct MetricsListenConfigTests {
    @Test func metricsAreOnTheMainListenerUnlessAnAddressIsGiven() throws {
        #expect(try ConfigText.decode("id_prefix: INC\n").metricsListen == nil)
        #expect(try ConfigText.decode("metrics_listen: 127.0.0.1:9464\n").metricsListen == ListenAddress(host: "127.0.0.1", port: 9464))
        #expect(try ConfigText.decode("metrics_listen: \"[::1]:9464\"\n").metricsListen == ListenAddress(host: "::1", port: 9464))
    }

    @Test func aBadAddressIsReportedAtItsLine() {
        let diagnostics = ConfigText.diagnostics("id_prefix: INC\nmetrics_listen: nowhere\n")
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.hasPrefix("vigil.yaml:2:") == true)
        #expect(diagnostics.first?.contains("metrics_listen") == true || diagnostics.first?.contains("listen address") == true)
    }
}
