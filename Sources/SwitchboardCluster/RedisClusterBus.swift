public import Logging
import NIOCore
import NIOPosix
public import Switchboard
import Synchronization
public import SwitchboardRedis

/// Joins a ``Server`` to other nodes through one Redis server: exact routing of pushes, room
/// histories in Redis streams, leases that make a dead node's entries expire.
///
/// ```swift
/// let bus = try await RedisClusterBus.connect(ClusterConfiguration(redisURL: "redis://127.0.0.1:6379"))
/// let server = Server(router: router, cluster: bus)
/// ```
///
/// **Connections to Redis.** One *bus* connection (RESP3) is subscribed to this node's channel
/// `<prefix>to:<node>` and also carries every publish script and registration, so the replies
/// to this node's publishes and the pushes of other nodes arrive in the one order Redis placed
/// them. One *query* connection, on a thread of its own, loads shared histories; the server
/// waits for it (one round trip) the first time it needs a room's position. A new connection's
/// random client room needs no load: its history starts on this node, with an epoch this node
/// picks and writes to Redis on the bus connection before the connection is registered.
///
/// **Publishing.** Each push is encoded once and placed by one `EVALSHA` (one round trip):
/// the script finds the nodes that hold the target (the room's node set, the connection's
/// node, or every node), appends kept pushes to the room's stream with the next offset and
/// sequence, and publishes the envelope to each other node's channel. This node's recipients
/// are delivered from the reply, without the frame going through Redis.
///
/// **Missed pushes.** A node left out of a room's pushes (its registration for the room lapsed)
/// sees it at the room's next reliable push here: that push and the room's later ones wait
/// while the missing ones are read from the room's stream, then all are delivered in offset
/// order.
///
/// **Failure.** While the bus connection is down the node is degraded: pushes reach this
/// node's connections only (counted in ``health``), with histories of its own (new epochs).
/// When Redis is back it loads the scripts again, re-registers its rooms and connections,
/// and drops its copies of histories, so a client resumes against Redis's (a lost stream shows
/// as a changed epoch).
public final class RedisClusterBus: ClusterBus, Sendable {
    /// The server's handle.
    public typealias Handle = Connection

    struct State {
        var attachment: ClusterAttachment<Connection>?
        var subscriber: RedisSubscriber?
        var query: RedisConnection?
        var scripts = Scripts()
        var healthy = false
        var reason: String? = "starting"
        var nodes: [String] = []
        var crossNodeFailures = 0
        var rooms: Set<RoomName> = []
        var connections: [ConnectionID: RoomName] = [:]
        /// Rooms with pushes that did not reach the other nodes: their shared history gets a
        /// new epoch on rejoin, so the loss shows.
        var broken: Set<RoomName> = []
        /// Rooms whose copy missed pushes: the pushes that came since, held back until the
        /// missing ones are read from the room's stream.
        var repairs: [RoomName: [PlacedPush]] = [:]
        /// New connections' random client rooms (``RoomName/isRandomClientRoom``) and the epoch
        /// their shared history was started with, until ``loadHistory(of:)`` takes it.
        var started: [RoomName: UInt32] = [:]
        /// Shared histories read with a round trip that the caller waited for.
        var historyLoads = 0
        var heartbeat: Task<Void, Never>?
        var closed = false
        /// The server's presence feature, when it shares its counts through this bus.
        weak var presence: Presence?
    }

    struct Scripts {
        var publish = ""
        var load = ""
        var heartbeat = ""
        var presence = ""
        var presenceBeat = ""
        var idempotency = ""
    }

    /// The settings the bus was created with.
    public let configuration: ClusterConfiguration
    let logger: Logger
    let busGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let queryGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let state = Mutex(State())
    var prefix: String { configuration.keyPrefix }
    var node: String { configuration.nodeId }

    /// ``ClusterConfiguration/nodeId``.
    public var nodeId: String { configuration.nodeId }

    private init(configuration: ClusterConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Connects to Redis, loads the scripts, subscribes to this node's channel and starts the
    /// heartbeat: the node has joined when this returns.
    /// - Throws: a `RedisError` when Redis cannot be reached, or refuses RESP3 (Redis 6 or later
    ///   is needed).
    public static func connect(
        _ configuration: ClusterConfiguration, logger: Logger = Logger(label: "switchboard.cluster")
    ) async throws(RedisError) -> RedisClusterBus {
        let bus = RedisClusterBus(configuration: configuration, logger: logger)
        do {
            var redis = configuration.redis
            redis.protocolVersion = .resp3
            let subscriber = try await RedisSubscriber.connect(configuration: redis, eventLoopGroup: bus.busGroup, logger: logger) {
                [weak bus] event in bus?.handle(event)
            }
            bus.state.withLock { $0.subscriber = subscriber }
            try await subscriber.subscribe([configuration.keyPrefix + "to:" + configuration.nodeId])
            try await bus.rejoin()
        } catch {
            await bus.close()
            throw error
        }
        bus.startHeartbeat()
        return bus
    }

    /// Leaves the cluster (this node's lease and node entry are deleted) and closes the
    /// connections to Redis.
    public func close() async {
        let (subscriber, query, heartbeat) = state.withLock { state in
            state.closed = true
            state.healthy = false
            state.reason = "closed"
            return (state.subscriber, state.query, state.heartbeat)
        }
        heartbeat?.cancel()
        if let query {
            _ = try? await query.send([RedisCommand("DEL", [prefix + "node:" + node]), RedisCommand("ZREM", [prefix + "nodes", node])])
            await query.close()
        }
        await subscriber?.close()
        try? await busGroup.shutdownGracefully()
        try? await queryGroup.shutdownGracefully()
    }

    /// Where the node stands: `ok` or `degraded`, the live nodes, failed cross-node sends.
    public var health: ClusterHealth {
        state.withLock { state in
            ClusterHealth(
                status: state.healthy ? "ok" : "degraded", node: node, nodes: state.nodes,
                crossNodeFailures: state.crossNodeFailures, historyLoads: state.historyLoads, reason: state.healthy ? nil : state.reason
            )
        }
    }

    // MARK: ClusterBus

    /// Takes the server's publisher and delivery, and starts registering its rooms and
    /// connections in Redis as they change.
    public func attach(_ node: ClusterAttachment<Connection>) {
        state.withLock { $0.attachment = node }
        node.publisher.rooms.observe { [weak self] changes in self?.roomsChanged(changes) }
    }

    /// Places each push with one `EVALSHA` (in created-time order); this node's recipients get
    /// it when Redis answers. While degraded, pushes reach this node's connections only.
    public func publish(_ pushes: [Push]) -> [(Push, FrameError)] {
        guard let attachment = state.withLock({ $0.attachment }) else { return [] }
        let sorted = pushes.enumerated().sorted { ($0.element.message.createdAt, $0.offset) < ($1.element.message.createdAt, $1.offset) }
        var failed: [(Push, FrameError)] = []
        for (_, push) in sorted {
            do throws(FrameError) {
                try place(push, attachment: attachment)
            } catch {
                failed.append((push, error))
            }
        }
        return failed
    }

    /// Closes the user's connections here, and on every other node through its channel.
    public func disconnect(user userId: String, reason: String) -> [ConnectionID] {
        guard let attachment = state.withLock({ $0.attachment }) else { return [] }
        let closed = attachment.disconnectLocally(userId, reason)
        if !send(kind: "d", target: userId, excluded: "", deliveryClass: "v", key: "", maxPushes: 0, maxAge: 0, createdAt: 0, frame: Array(reason.utf8), urlLength: nil, onReply: nil) {
            noteCrossNodeFailure("disconnect(user:) reached this node only")
        }
        return closed
    }

    /// Counts and logs a push or a disconnect whose other nodes' part could not be sent.
    func noteCrossNodeFailure(_ what: String) {
        state.withLock { $0.crossNodeFailures += 1 }
        logger.warning("cross-node send failed", metadata: ["node": "\(node)", "detail": "\(what)"])
    }

    // MARK: Events

    private func handle(_ event: RedisSubscriber.Event) {
        switch event {
        case .message(let message):
            guard let placed = PlacedPush(envelope: message.payload) else {
                logger.error("unreadable cluster message", metadata: ["channel": "\(message.channel)"])
                return
            }
            // Delivered also while rejoining: the other nodes still send to this one.
            guard let attachment = state.withLock({ $0.attachment }) else { return }
            deliverHere(placed, attachment: attachment)
        case .disconnected(let error):
            degrade("the Redis connection was lost: \(error)")
        case .reconnected:
            Task {
                do {
                    try await self.rejoin()
                } catch {
                    self.logger.error("cannot rejoin the cluster", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
