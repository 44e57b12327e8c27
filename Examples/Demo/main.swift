import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Switchboard
import SwitchboardCluster

// The Switchboard demo: REST-like board routes over a WebSocket, bearer-token auth at the
// handshake, a chat with rooms and presence, board changes pushed as JSON Merge Patches, a
// static page, metrics in Prometheus text format at /metrics, a health check at /healthz, and
// graceful shutdown on SIGINT/SIGTERM.

/// The demo's command line: `switchboard-demo [--host <host>] [--port <port>]`.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-demo",
        abstract: "Runs the Switchboard demo: a board app and a chat over WebSockets, with a page to try them."
    )

    @Option(help: "The address to listen on; 0.0.0.0 listens on every interface.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one. Default: $SWITCHBOARD_PORT, else 8080.")
    var port: Int?

    @Option(help: "Join a cluster through this Redis (redis://host:port), which also keeps the boards; without it the demo is one node on its own, its boards in memory.")
    var redis: String?

    func run() async throws {
        let environmentPort = ProcessInfo.processInfo.environment["SWITCHBOARD_PORT"].flatMap(Int.init)
        try await runDemo(host: host, port: port ?? environmentPort ?? 8080, redis: redis)
    }
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardOutput(label: label)
    handler.logLevel = .info
    return handler
}
// `--help` and bad options print and exit here.
let command = DemoCommand.parseOrExit()
try await command.run()

func runDemo(host: String, port: Int, redis: String?) async throws {
    let logger = Logger(label: "switchboard.demo")
    let bus: RedisClusterBus? =
        if let redis { try await RedisClusterBus.connect(ClusterConfiguration(redisURL: redis), logger: logger) } else { nil }
    // Every metric the server records goes to this registry, exported at /metrics; bootstrapped
    // before the server is created, which reads it then.
    let metricsRegistry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metricsRegistry))

    var settings = Configuration(host: host, port: port)
    settings.webSocketPath = "/ws"
    settings.staticFilesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Public").path
    settings.httpRoutes.get("/healthz") {
        guard let health = bus?.health else { return .json(#"{"status":"ok"}"#) }
        let body = (try? JSONEncoder().encode(health)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return .json(body, status: health.status == "ok" ? 200 : 503)
    }
    settings.httpRoutes.get("/metrics") {
        .text(metricsRegistry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
    let configuration = settings

    // Nodes of a cluster share their boards through Redis, so every page sees the same boards
    // under the same ids whichever node it is connected to.
    let store: any BoardStore = if let redis { try await RedisBoardStore.connect(url: redis) } else { MemoryBoardStore() }
    var router = BoardRoutes.router(store: store)
    ChatRoutes.register(on: &router)
    // Clients may join the board list, boards, chats and the lobby's presence stream, besides
    // their own rooms.
    let rooms = RoomRegistry(policy: .allowing { _, room in
        room == .boards || RoomName.board.contains(room) || RoomName.chat.contains(room) || room == "demo:lobby:presence"
            ? .allowed : .denied("only boards, board-…, chat-… and the lobby are open")
    })
    let server = Server(
        router: router,
        configuration: configuration,
        authentication: DemoTokens.authentication,
        onMessage: { message in
            logger.info("message \(message.url) from \(message.connection.id): \(String(decoding: message.data, as: UTF8.self))")
        },
        rooms: rooms,
        features: FeatureSet([Presence()]),
        cluster: bus,
        logger: logger
    )

    let services = ServiceGroup(
        configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    )
    Task {
        guard let port = try? await server.waitUntilListening() else { return }
        let banner = """
            Switchboard demo
              page:      http://\(configuration.host):\(port)/
              WebSocket: ws://\(configuration.host):\(port)\(configuration.webSocketPath)  (subprotocol \(FrameCodec.subprotocol))
              metrics:   http://\(configuration.host):\(port)/metrics  (Prometheus text format), health: /healthz
              tokens:    demo-token, admin-token, short-token (Authorization: Bearer, ?token= or a token cookie)
            Ctrl-C stops it gracefully.

            """
        FileHandle.standardOutput.write(Data(banner.utf8))
    }
    do {
        try await services.run()
    } catch let error as ServerError {
        // One line naming what to change, not a backtrace.
        var line = "switchboard-demo: \(error)"
        if case .cannotListen = error { line += "; pass --port (or set SWITCHBOARD_PORT) to listen on another port (default 8080)" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
        exit(1)
    } catch {
        FileHandle.standardError.write(Data("switchboard-demo: \(error)\n".utf8))
        exit(1)
    }
}
