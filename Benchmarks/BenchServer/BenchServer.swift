import ArgumentParser
import Logging
import NIOPosix
import ServiceLifecycle
import Switchboard

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `switchboard-bench-server`: the Switchboard server the load figures measure, with two
/// routes that do no work of their own:
/// - `POST /echo` answers with the request body from a synchronous handler (inline, the
///   `.completed` dispatch path);
/// - `POST /echo-async` does the same from an `async` handler (the `.pending` path: one hop
///   into Swift concurrency per request).
@main
struct BenchServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-bench-server",
        abstract: "Switchboard server with POST /echo (sync) and POST /echo-async (async) on 127.0.0.1."
    )

    @Option(help: "Port (0: ephemeral; the bound one is printed).")
    var port = 0

    @Option(help: "Maximum connections (Scripts/connect.sh opens 10,000).")
    var maxConnections = 60_000

    @Option(help: "Require token authentication at the handshake: `?token=<prefix>…` is accepted, the whole token being the user id (so each connection joins its client and user rooms).")
    var tokenPrefix: String?

    @Option(help: "Event loops (threads); 0: NIO's shared group, one per core.")
    var eventLoops = 0

    mutating func run() async throws {
        var router = Router()
        router.post("/echo") { req, res in
            res.send(req.body)
        }
        router.post("/echo-async") { req, res async throws in
            res.send(req.body)
        }
        var configuration = Configuration(host: "127.0.0.1", port: port)
        configuration.maxConnections = maxConnections
        var logger = Logger(label: "switchboard.bench")
        logger.logLevel = .warning
        let authentication = tokenPrefix.map { prefix in
            TokenAuthentication(verifyTokenWithoutSuspending: { token in token.hasPrefix(prefix) ? Identity(userId: token) : nil })
        }
        let loops = eventLoops > 0 ? MultiThreadedEventLoopGroup(numberOfThreads: eventLoops) : MultiThreadedEventLoopGroup.singleton
        let server = Server(router: router, configuration: configuration, authentication: authentication, logger: logger, eventLoopGroup: loops)
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        async let serving: Void = group.run()
        let bound = try await server.waitUntilListening()
        announce("listening on ws://127.0.0.1:\(bound)\(configuration.webSocketPath)")
        try await serving
    }
}

/// Writes `line` to standard output at once (unbuffered), so that a script waiting for it
/// sees it even when the output is a pipe or a file.
private func announce(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
