import Foundation
import Logging
import Switchboard
import SwitchboardCluster
import Synchronization

/// Switchboard's `Server` with an empty router; members are joined to the room server-side
/// (`server.rooms`), and each broadcast is `server.push(_:to: .room(...))` spelled out:
/// `publisher.publish` (under the publisher's lock: encode once, take the room's next offset
/// and keep the push in its history when reliable, resolve the members) handing its
/// deliveries to `pushTransport.deliver`, so that the delivery's one encoding can be counted.
///
/// As one node of a cluster, each broadcast is `server.push` itself: the bus places it with
/// Redis and delivers this node's part from the reply, so the server counts broadcasts only.
final class SwitchboardFanoutServer: FanoutServer {
    private let server: Server
    private let cluster: RedisClusterBus?
    private let body: [UInt8]
    private let frameSize: Int
    private let task = Mutex<Task<Void, any Error>?>(nil)

    /// With `compression`, permessage-deflate is on without server context takeover, so each
    /// push is compressed once and the same bytes go to every member.
    init(connections: Int, payload: Int, body kind: BodyKind, compression: Bool, cluster: RedisClusterBus? = nil) {
        var configuration = Configuration(host: "127.0.0.1", port: 0)
        configuration.maxConnections = connections + 100
        configuration.pingInterval = nil
        if compression {
            var settings = CompressionSettings()
            settings.serverNoContextTakeover = true
            configuration.compression = settings
        }
        var logger = Logger(label: "switchboard.fanout")
        logger.logLevel = .warning
        self.server = Server(router: Router(), configuration: configuration, cluster: cluster, logger: logger)
        self.cluster = cluster
        self.body = FanoutPush.body(size: payload, kind: kind)
        self.frameSize = FanoutPush.frameSize(payload: payload, kind: kind)
    }

    func start() async throws -> Int {
        let server = self.server
        task.withLock { $0 = Task { try await server.run() } }
        return try await server.waitUntilListening()
    }

    var connectionCount: Int { server.registry.count }

    func prepare() -> Int {
        for connection in server.connections {
            server.rooms.join(FanoutPush.room, connection.id)
        }
        return server.rooms.members(of: FanoutPush.room).count
    }

    func broadcast(count: Int, delivery: FanoutDelivery) throws -> BroadcastAccount {
        var account = BroadcastAccount(frameSize: frameSize)
        let transport = server.pushTransport
        for _ in 0..<count {
            let message = PushMessage(url: FanoutPush.url, body: body, delivery: delivery.deliveryClass)
            if cluster != nil {
                try server.push(message, to: .room(FanoutPush.room))
                account.broadcasts += 1
                continue
            }
            let failed = server.publisher.publish([Push(message, to: .room(FanoutPush.room, excluding: nil))]) { deliveries in
                for delivery in deliveries {
                    account.encodings += 1
                    account.bytesEncoded += delivery.bytes.count
                    account.recipients += delivery.recipients.count
                }
                transport.deliver(deliveries)
            }
            if let (_, error) = failed.first { throw error }
            account.broadcasts += 1
        }
        return account
    }

    func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        _ = try? await running?.value
        await cluster?.close()
    }
}
