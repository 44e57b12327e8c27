import SwitchboardClient
import Synchronization

/// Client-side helpers for the tests.
enum ClientTestSupport {
    /// A configuration with short, test-friendly delays.
    static func configuration(_ adjust: (inout ClientConfiguration) -> Void = { _ in }) -> ClientConfiguration {
        var configuration = ClientConfiguration()
        configuration.reconnect = ReconnectPolicy(minimumDelay: .milliseconds(20), maximumDelay: .milliseconds(100))
        configuration.busyRetryDelay = .milliseconds(10)
        configuration.random = { 0.5 }
        adjust(&configuration)
        return configuration
    }

    /// A connected client for `server`.
    static func connect(_ server: TestServer, _ adjust: (inout ClientConfiguration) -> Void = { _ in }) async throws -> SwitchboardClient {
        let client = try SwitchboardClient(url: server.url, configuration: configuration(adjust))
        try await client.connect()
        return client
    }
}

/// Collects values delivered from other threads.
final class Collected<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
    var count: Int { values.withLock { $0.count } }
}

extension String {
    /// The UTF-8 bytes, for request bodies.
    var bytes: [UInt8] { Array(utf8) }
}
