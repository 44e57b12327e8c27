import MetricsTestKit
import Testing

@testable import Switchboard

@Suite("RequestObserver")
struct RequestObserverTests {
    @Test("with no metrics backend and no tracer, requests are not observed at all")
    func nothingBootstrapped() {
        let observer = RequestObserver(configuration: Configuration())
        #expect(!observer.metrics.isRecording)
        #expect(observer.start() == nil)
    }

    @Test("a metrics factory records; metrics = false turns it off")
    func factoryAndSwitch() {
        var configuration = Configuration()
        configuration.metricsFactory = TestMetrics()
        #expect(RequestObserver(configuration: configuration).start() != nil)
        configuration.metrics = false
        #expect(RequestObserver(configuration: configuration).start() == nil)
    }
}
