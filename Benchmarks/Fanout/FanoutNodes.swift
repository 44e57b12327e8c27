import Foundation

/// The server side of one measured mode: one server process, or for the cluster mode a
/// `redis-server` and two nodes over it (node a first, which triggers the broadcasts).
final class FanoutNodes {
    /// The server processes, in the order the members are spread over them.
    let servers: [ServerChild]
    /// Their ports, in the same order.
    let ports: [Int]
    /// The cluster's Redis (cluster mode only).
    let redis: RedisChild?

    /// Starts the servers of `mode` for `members` connections in all and waits until each listens.
    init(mode: ServerMode, members: Int, options: RunOptions) throws {
        let redis = mode == .cluster ? try RedisChild() : nil
        var servers: [ServerChild] = []
        do {
            if let redis {
                let shares = [(members + 1) / 2, members / 2]
                for (share, id) in zip(shares, ["a", "b"]) {
                    servers.append(try ServerChild(mode: mode, connections: share, payload: options.payload, body: options.body, node: (redis.port, "fanout-" + id)))
                }
            } else {
                servers.append(try ServerChild(mode: mode, connections: members, payload: options.payload, body: options.body))
            }
            ports = try servers.map { server in
                let listening = try server.expectLine("listening ", timeout: options.timeoutSeconds)
                guard let port = Int(listening.dropFirst("listening ".count)) else { throw UsageError(description: "bad answer: \(listening)") }
                return port
            }
        } catch {
            for server in servers { server.stop() }
            redis?.stop()
            throw error
        }
        self.servers = servers
        self.redis = redis
    }

    /// The server every broadcast is triggered on.
    var trigger: ServerChild { servers[0] }

    /// The server processes' ids, for their CPU time.
    var pids: [Int32] { servers.map(\.pid) }

    /// Puts every open connection in the room, the triggering node last; returns the members
    /// of the room over all servers.
    func prepare() throws -> Int {
        var members = 0
        for server in servers.reversed() {
            let ready = try server.ask("prepare", expecting: "ready ", timeout: 90)
            members += Int(ready.dropFirst("ready ".count)) ?? 0
        }
        // A node registers its rooms in Redis on its own connection: let the other node's
        // registration land before the first publish looks the room's nodes up.
        if servers.count > 1 { usleep(200_000) }
        return members
    }

    /// Stops the servers, then Redis.
    func stop() {
        for server in servers { server.stop() }
        redis?.stop()
    }
}
