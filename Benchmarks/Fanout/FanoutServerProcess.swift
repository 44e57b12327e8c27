import Foundation
import Logging
import SwitchboardCluster

/// `switchboard-fanout server`: one server under test, driven by line commands on stdin and
/// answering on stdout (the `run` side spawns it and measures its CPU time from /proc):
///
///     → listening <port>                          once listening
///     prepare            → ready <members>        after every connection is open and in the room
///     broadcast <k> [reliable|volatile]
///                        → sent <k> recipients=… encodings=… bytes=… frame=…
///     quit                                        stops the server and exits
enum FanoutServerProcess {
    static func run(_ options: ServerOptions) async throws {
        try OpenFiles.raiseLimit(atLeast: options.connections + 200)
        let server: any FanoutServer = switch options.mode {
        case .bare: BareFanoutServer(payload: options.payload, body: options.body)
        case .switchboard, .switchboardDeflate:
            SwitchboardFanoutServer(connections: options.connections, payload: options.payload, body: options.body, compression: options.mode.compresses)
        case .cluster:
            SwitchboardFanoutServer(
                connections: options.connections, payload: options.payload, body: options.body, compression: false,
                cluster: try await clusterBus(options)
            )
        }
        let port = try await server.start()
        answer("listening \(port)")
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                serve(server, connections: options.connections)
                finished.resume()
            }
            thread.start()
        }
        await server.stop()
    }

    /// This node's bus: a lease long enough that no heartbeat falls in a measurement of a few
    /// seconds, so Redis's command counts are the broadcasts' own.
    private static func clusterBus(_ options: ServerOptions) async throws -> RedisClusterBus {
        guard let node = options.node else { throw UsageError(description: ServerOptions.usage) }
        var configuration = try ClusterConfiguration(redisURL: "redis://127.0.0.1:\(node.redisPort)")
        configuration.nodeId = node.id
        configuration.lease = .seconds(120)
        var logger = Logger(label: "switchboard.fanout.cluster")
        logger.logLevel = .warning
        return try await RedisClusterBus.connect(configuration, logger: logger)
    }

    /// Answers commands until `quit` or the end of stdin.
    private static func serve(_ server: any FanoutServer, connections: Int) {
        while let line = readLine() {
            let words = line.split(separator: " ")
            switch words.first {
            case "prepare":
                let deadline = Date().addingTimeInterval(60)
                while server.connectionCount < connections && Date() < deadline { usleep(5_000) }
                answer("ready \(server.prepare())")
            case "broadcast":
                let count = words.count > 1 ? Int(words[1]) ?? 1 : 1
                guard let delivery = words.count > 2 ? FanoutDelivery(rawValue: String(words[2])) : .reliable else {
                    answer("error unknown delivery class \(words[2])")
                    continue
                }
                do {
                    answer(try server.broadcast(count: count, delivery: delivery).line)
                } catch {
                    answer("error \(error)")
                }
            case "quit":
                return
            default:
                answer("error unknown command \(line)")
            }
        }
    }

    private static func answer(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
