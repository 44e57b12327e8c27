import Logging
import NIOCore
import NIOPosix
import Switchboard

/// A server on 127.0.0.1 and an ephemeral port, run in a task for one test.
struct RunningServer {
    let server: Server
    let task: Task<Void, any Error>
    let port: Int

    /// Starts a server logging only critical records (or to `logger`); stop it with ``stop()``.
    static func start(
        responder: some Responder = TestResponder(),
        configuration: Configuration = Configuration(),
        authentication: TokenAuthentication? = nil,
        upgrade: UpgradeHook? = nil,
        onMessage: MessageHandler? = nil,
        rooms: RoomRegistry = RoomRegistry(),
        features: FeatureSet = FeatureSet([]),
        logger: Logger? = nil,
        port: Int = 0
    ) async throws -> RunningServer {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = port
        var quiet = Logger(label: "switchboard.test")
        quiet.logLevel = .critical
        let logger = logger ?? quiet
        let server = Server(
            router: responder, configuration: configuration, authentication: authentication,
            upgrade: upgrade, onMessage: onMessage, rooms: rooms, features: features, logger: logger
        )
        let task = Task { try await server.run() }
        let port = try await server.waitUntilListening()
        return RunningServer(server: server, task: task, port: port)
    }

    /// Cancels the server's task (a graceful shutdown) and waits for `run()` to return.
    func stop() async throws {
        task.cancel()
        try await task.value
    }

    /// Waits (bounded) until `condition` holds.
    func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
