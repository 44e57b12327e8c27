import ArgumentParser
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `switchboard-echo-baseline`: a bare SwiftNIO WebSocket echo server, the baseline of the
/// load figures. Same NIO upgrade path, socket options and event-loop group as the Switchboard
/// server; no frame codec, no routing.
@main
struct EchoBaseline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-echo-baseline",
        abstract: "Bare SwiftNIO WebSocket echo (subprotocol switchboard.v1) on 127.0.0.1."
    )

    @Option(help: "Port (0: ephemeral; the bound one is printed).")
    var port = 0

    @Option(help: "WebSocket path.")
    var path = "/ws"

    @Option(help: "Event loops (threads); 0: NIO's shared group, one per core.")
    var eventLoops = 0

    mutating func run() async throws {
        let path = self.path
        let group = eventLoops > 0 ? MultiThreadedEventLoopGroup(numberOfThreads: eventLoops) : MultiThreadedEventLoopGroup.singleton
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.configure(channel, path: path)
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        announce("listening on ws://127.0.0.1:\(channel.localAddress?.port ?? port)\(path)")
        try await channel.closeFuture.get()
    }

    private static func configure(_ channel: any Channel, path: String) throws {
        let upgrader = NIOTypedWebSocketServerUpgrader<Void>(
            maxFrameSize: 1 << 20,
            shouldUpgrade: { channel, head in
                let offered = head.headers[canonicalForm: "sec-websocket-protocol"]
                guard head.uri == path, offered.contains("switchboard.v1") else {
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders([("Sec-WebSocket-Protocol", "switchboard.v1")]))
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BareEchoHandler())
                }
            }
        )
        let configuration = NIOUpgradableHTTPServerPipelineConfiguration(
            upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.close()
                }
            )
        )
        _ = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
    }
}

/// Writes `line` to standard output at once (unbuffered), so that a script waiting for it
/// sees it even when the output is a pipe or a file.
private func announce(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
