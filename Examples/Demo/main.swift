import Foundation
import Logging
import ServiceLifecycle
import Switchboard

// The Switchboard demo: REST-like board routes over a WebSocket, bearer-token auth at the
// handshake, a chat with rooms and presence, board changes pushed as JSON Merge Patches, a
// static page, and graceful shutdown on SIGINT/SIGTERM.

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardOutput(label: label)
    handler.logLevel = .info
    return handler
}
let logger = Logger(label: "switchboard.demo")

var configuration = Configuration(host: "127.0.0.1", port: 8080)
if let port = ProcessInfo.processInfo.environment["SWITCHBOARD_PORT"].flatMap(Int.init) {
    configuration.port = port
}
configuration.webSocketPath = "/ws"
configuration.staticFilesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Public").path

var router = BoardRoutes.router(store: BoardStore())
ChatRoutes.register(on: &router)
// Clients may join the board list, boards, chats and the lobby's presence stream, besides their own rooms.
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
    if case .cannotListen = error { line += "; set SWITCHBOARD_PORT to listen on another port (default 8080)" }
    FileHandle.standardError.write(Data((line + "\n").utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("switchboard-demo: \(error)\n".utf8))
    exit(1)
}
