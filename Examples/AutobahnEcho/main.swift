import Foundation
import Logging
import Switchboard

// A raw WebSocket echo server for RFC 6455 conformance runs (Autobahn|Testsuite, see
// Scripts/autobahn.sh). Bypasses the frame codec and routing. Usage:
//   switchboard-autobahn-echo [port] [--compression]
//   port: default 9001; 0 picks a free port, printed on stdout.
//   --compression: permessage-deflate on (Autobahn cases 12 and 13), every message compressed.

struct NoRoutes: Responder {
    func respond(to request: Request) -> Dispatch { .completed(Reply(status: .notFound)) }
}

let arguments = CommandLine.arguments.dropFirst()
var configuration = Configuration(host: "127.0.0.1", port: arguments.first.flatMap(Int.init) ?? 9001)
configuration.rawEchoMode = true
if arguments.contains("--compression") {
    var compression = CompressionSettings()
    compression.minimumMessageSize = 0
    configuration.compression = compression
}
// Case group 9 sends messages of up to 16 MiB, in frames of up to 16 MiB.
configuration.maxFrameSize = 16 << 20
configuration.maxMessageSize = 16 << 20
configuration.maxFragmentsPerMessage = 1 << 20
configuration.maxOutboundBufferSize = 64 << 20
configuration.pingInterval = nil
var logger = Logger(label: "switchboard.autobahn")
logger.logLevel = .warning
let server = Server(router: NoRoutes(), configuration: configuration, logger: logger)
Task {
    guard let port = try? await server.waitUntilListening() else { return }
    FileHandle.standardOutput.write(Data("listening on ws://127.0.0.1:\(port)/ws\n".utf8))
}
try await server.run()
