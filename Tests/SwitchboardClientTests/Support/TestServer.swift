import Foundation
import Logging
import Switchboard
import Synchronization

/// A real Switchboard server on 127.0.0.1 for client tests: port 0 (ephemeral) on first start,
/// the same port again after ``restart()``.
final class TestServer: Sendable {
    private struct Running: Sendable {
        var server: Server
        var task: Task<Void, any Error>
    }

    let app: TestApp
    let authentication: TokenAuthentication?
    let configuration: Configuration
    private let running = Mutex<Running?>(nil)
    private let boundPort = Mutex(0)

    private init(app: TestApp, authentication: TokenAuthentication?, configuration: Configuration) {
        self.app = app
        self.authentication = authentication
        self.configuration = configuration
    }

    /// Starts a server on an ephemeral port.
    static func start(authentication: TokenAuthentication? = nil, configuration: Configuration = Configuration()) async throws -> TestServer {
        let server = TestServer(app: TestApp(), authentication: authentication, configuration: configuration)
        try await server.launch(port: 0)
        return server
    }

    var port: Int { boundPort.withLock { $0 } }
    var url: String { "ws://127.0.0.1:\(port)/ws" }
    var server: Server? { running.withLock { $0?.server } }

    private func launch(port: Int) async throws {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = port
        var logger = Logger(label: "switchboard.client-test")
        logger.logLevel = .critical
        let rooms = RoomRegistry(policy: .allowing { _, room in
            room.rawValue.hasPrefix("board-") ? .allowed : .denied("only board-… rooms")
        })
        let server = Server(
            router: app.router(), configuration: configuration, authentication: authentication,
            onMessage: { [app] message in app.record("message \(message.url) \(String(decoding: message.data, as: UTF8.self))") },
            rooms: rooms, logger: logger
        )
        let task = Task { try await server.run() }
        let bound = try await server.waitUntilListening()
        boundPort.withLock { $0 = bound }
        running.withLock { $0 = Running(server: server, task: task) }
    }

    /// Stops the server gracefully (connections are closed with 1001).
    func stop() async throws {
        guard let current = running.withLock({ state -> Running? in defer { state = nil }; return state }) else { return }
        current.task.cancel()
        try await current.task.value
    }

    /// Starts a new server on the same port.
    func restart() async throws {
        try await launch(port: port)
    }

    /// Pushes `body` to `room` at `url` (the room's default delivery class unless `delivery`),
    /// leaving out `excluded`.
    @discardableResult
    func push(_ url: String, _ body: String = "{}", to room: RoomName, delivery: DeliveryClass? = nil, excluding excluded: ConnectionID? = nil) throws -> Int {
        guard let server else { return 0 }
        return try server.sendToGroup(room, PushMessage(url: url, body: Array(body.utf8), delivery: delivery), excluding: excluded).count
    }

    /// Waits (bounded) until `condition` holds.
    static func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
