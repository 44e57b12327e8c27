import Logging
import Switchboard
import SwitchboardClient
import Synchronization

/// One server (sync `POST /echo`) and one connection of each client, started once.
final class ClientFixture: Sendable {
    private struct Parts: Sendable {
        var server: Server
        var client: SwitchboardClient
        var bare: BareClient
    }

    private let parts = Mutex<Parts?>(nil)

    var client: SwitchboardClient {
        get throws { try started.client }
    }

    var bare: BareClient {
        get throws { try started.bare }
    }

    private var started: Parts {
        get throws {
            guard let parts = parts.withLock({ $0 }) else { throw FixtureError.notStarted }
            return parts
        }
    }

    enum FixtureError: Error {
        case notStarted
    }

    func start() async throws {
        guard parts.withLock({ $0 }) == nil else { return }
        var router = Router()
        router.post("/echo") { req, res in res.send(req.body) }
        var logger = Logger(label: "client-benchmark")
        logger.logLevel = .critical
        let server = Server(router: router, configuration: Configuration(host: "127.0.0.1", port: 0), logger: logger)
        Task { try await server.run() }
        let port = try await server.waitUntilListening()
        let client = try SwitchboardClient(url: "ws://127.0.0.1:\(port)/ws")
        try await client.connect()
        let bare = try await BareClient.connect(port: port)
        parts.withLock { $0 = Parts(server: server, client: client, bare: bare) }
    }
}
