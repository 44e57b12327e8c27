import Dispatch
import Foundation
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
/// waits for it (one round trip) the first time it needs a room's position.
///
/// **Publishing.** Each push is encoded once and placed by one `EVALSHA` (one round trip):
/// the script finds the nodes that hold the target (the room's node set, the connection's
/// node, or every node), appends kept pushes to the room's stream with the next offset and
/// sequence, and publishes the envelope to each other node's channel. This node's recipients
/// are delivered from the reply, without the frame going through Redis.
///
/// **Failure.** While the bus connection is down the node is degraded: pushes reach this
/// node's connections only (counted in ``health``), with histories of its own (new epochs).
/// When Redis is back it loads the scripts again, re-registers its rooms and connections,
/// and drops its copies of histories, so a client resumes against Redis's (a lost stream shows
/// as a changed epoch).
public final class RedisClusterBus: ClusterBus, Sendable {
    /// The server's handle.
    public typealias Handle = Connection

    private struct State {
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
        var heartbeat: Task<Void, Never>?
        var closed = false
    }

    private struct Scripts {
        var publish = ""
        var load = ""
        var heartbeat = ""
    }

    /// The settings the bus was created with.
    public let configuration: ClusterConfiguration
    private let logger: Logger
    private let busGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let queryGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let state = Mutex(State())
    private var prefix: String { configuration.keyPrefix }
    private var node: String { configuration.nodeId }

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
                crossNodeFailures: state.crossNodeFailures, reason: state.healthy ? nil : state.reason
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

    /// Registers this node for `room` and reads the room's stream, in one script, waiting at
    /// most ``ClusterConfiguration/loadTimeout``; `nil` while degraded or on failure.
    public func loadHistory(of room: RoomName) -> SharedHistory? {
        guard let (query, sha) = state.withLock({ state in state.healthy ? state.query.map { ($0, state.scripts.load) } : nil }),
            !query.eventLoop.inEventLoop, !busGroup.any().inEventLoop
        else { return nil }
        let maxAge = ClusterConfiguration.milliseconds(historyLimits(of: room).maxAge)
        let future = query.enqueue([Self.evalsha(sha, [prefix, node, room.rawValue, String(UInt32.random(in: 1...UInt32.max)), String(configuration.leaseMilliseconds), String(maxAge)])])
        switch Self.wait(for: future, timeout: configuration.loadTimeout) {
        case .success(let replies):
            guard let reply = replies.first, reply.errorMessage == nil, let history = Self.sharedHistory(from: reply) else {
                logger.error("cannot read a room's shared history", metadata: ["room": "\(room)", "reply": "\(replies)"])
                return nil
            }
            return history
        case .failure(let error):
            logger.error("cannot load a room's shared history", metadata: ["room": "\(room)", "error": "\(error)"])
            return nil
        }
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

    // MARK: Sessions

    /// Keeps a parked session as JSON in `session:<token>`, expiring with its grace period.
    public func park(token: String, session: ParkedSession) {
        let ttl = session.expiresAt - RoomRegistry.millisecondsSince1970()
        guard ttl > 0, let json = try? JSONEncoder().encode(StoredSession(session)) else { return }
        enqueueOnBus([RedisCommand("SET", [Array((prefix + "session:" + token).utf8), Array(json), Array("PX".utf8), Array(String(ttl).utf8)])])
    }

    /// Takes `session:<token>` with `GETDEL` (one round trip on the query connection).
    public func claim(token: String) -> ParkedSession? {
        guard let query = state.withLock({ $0.healthy ? $0.query : nil }), !query.eventLoop.inEventLoop, !busGroup.any().inEventLoop else { return nil }
        let future = query.enqueue([RedisCommand("GETDEL", [prefix + "session:" + token])])
        guard case .success(let replies) = Self.wait(for: future, timeout: configuration.loadTimeout),
            case .bulkString(let json?) = replies.first,
            let stored = try? JSONDecoder().decode(StoredSession.self, from: Data(json))
        else { return nil }
        return stored.parked
    }

    /// Deletes `session:<token>`.
    public func forget(token: String) {
        enqueueOnBus([RedisCommand("DEL", [prefix + "session:" + token])])
    }

    private func enqueueOnBus(_ commands: [RedisCommand]) {
        guard let subscriber = state.withLock({ $0.healthy ? $0.subscriber : nil }) else { return }
        _ = subscriber.enqueue(commands)
    }

    // MARK: Publishing

    /// Places one push with one `EVALSHA`; delivers this node's part from the reply, or at once
    /// through the in-process publisher while degraded.
    private func place(_ push: Push, attachment: ClusterAttachment<Connection>) throws(FrameError) {
        let publisher = attachment.publisher
        let message = push.message
        var kind: Character = "r"
        var target = ""
        var excluded = ""
        var room: RoomName?
        switch push.target {
        case .room(let name, let without):
            (target, room, excluded) = (name.rawValue, name, without?.rawValue ?? "")
        case .user(let userId):
            let name = RoomName.user(userId)
            (target, room) = (name.rawValue, name)
        case .connection(let id):
            kind = "c"
            target = id.rawValue
            room = publisher.connections.get(id)?.clientRoom
        case .everyone(let without):
            kind = "e"
            excluded = without?.rawValue ?? ""
        }
        let policyRoom = room ?? RoomName.client(target)
        var delivery = message.delivery ?? publisher.history.defaultDelivery(for: policyRoom)
        if kind == "e" { delivery = .volatile }
        let frame = try message.encodedFrame(room: room)
        let limits = historyLimits(of: policyRoom)
        let deliveryClass: Character
        switch delivery {
        case .reliable: deliveryClass = "r"
        case .latest: deliveryClass = "l"
        case .volatile: deliveryClass = "v"
        }
        let key = message.latestKey(of: delivery) ?? ""
        let (kindSent, targetSent, excludedSent) = (kind, target, excluded)
        // A connection on another node: Redis writes its client room into the frame.
        let urlLength = kind == "c" && room == nil ? message.url.utf8.count : nil
        let sent = send(
            kind: kind, target: target, excluded: excluded, deliveryClass: deliveryClass, key: key, maxPushes: limits.maxPushes,
            maxAge: ClusterConfiguration.milliseconds(limits.maxAge), createdAt: message.createdAt, frame: frame, urlLength: urlLength
        ) { [weak self] reply in
            guard let self, urlLength == nil else { return }
            switch reply {
            case .success(let value):
                guard let placed = Self.placed(from: value, kind: kindSent, target: targetSent, excluded: excludedSent, deliveryClass: deliveryClass, key: key, createdAt: message.createdAt, frame: frame) else {
                    if value.errorMessage != nil { self.logger.error("push not placed", metadata: ["url": "\(message.url)", "error": "\(value)"]) }
                    return
                }
                self.deliverHere(placed, attachment: attachment)
            case .failure(let error):
                self.degrade("a publish failed: \(error)")
                self.deliverInProcess(push, attachment: attachment)
            }
        }
        if !sent { deliverInProcess(push, attachment: attachment) }
    }

    /// Sends the publish script on the bus connection; `false` (nothing sent) while degraded.
    private func send(
        kind: Character, target: String, excluded: String, deliveryClass: Character, key: String, maxPushes: Int, maxAge: Int64,
        createdAt: Int64, frame: [UInt8], urlLength: Int?, onReply: (@Sendable (Result<RESPValue, any Error>) -> Void)?
    ) -> Bool {
        guard let (subscriber, sha) = state.withLock({ state in state.healthy ? state.subscriber.map { ($0, state.scripts.publish) } : nil }) else {
            return false
        }
        var arguments: [[UInt8]] = [sha, "0", prefix, node, String(kind), target, excluded, String(deliveryClass), key,
            String(UInt32.random(in: 1...UInt32.max)), String(maxPushes), String(maxAge), String(createdAt)].map { Array($0.utf8) }
        arguments.append(frame)
        arguments.append(Array((urlLength.map(String.init) ?? "").utf8))
        let future = subscriber.enqueue([RedisCommand("EVALSHA", arguments)])
        if let onReply {
            future.whenComplete { result in onReply(result.map { $0.first ?? .null }) }
        }
        return true
    }

    /// This node's recipients of a push Redis placed (its own, or another node's).
    private func deliverHere(_ placed: PlacedPush, attachment: ClusterAttachment<Connection>) {
        if placed.kind == UInt8(ascii: "d") {
            _ = attachment.disconnectLocally(placed.target, String(decoding: placed.frame, as: UTF8.self))
            return
        }
        attachment.publisher.inOrder {
            if let delivery = placed.delivery(on: attachment.publisher) { attachment.deliver([delivery]) }
        }
    }

    /// Delivers a push to this node's recipients only, with this node's own histories.
    private func deliverInProcess(_ push: Push, attachment: ClusterAttachment<Connection>) {
        noteCrossNodeFailure("Redis is unavailable: a push reached this node's connections only")
        let room: RoomName? =
            switch push.target {
            case .room(let room, _): room
            case .user(let userId): RoomName.user(userId)
            case .connection(let id): attachment.publisher.connections.get(id)?.clientRoom
            case .everyone: nil
            }
        if let room { state.withLock { _ = $0.broken.insert(room) } }
        attachment.publisher.publish([push]) { attachment.deliver($0) }
    }

    private func noteCrossNodeFailure(_ what: String) {
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

    /// Stops using Redis until ``rejoin()``: this node's history copies are dropped in the same
    /// step (under the publisher's lock), so pushes delivered meanwhile start histories of their
    /// own (new epochs) and never continue a shared one with offsets Redis did not give.
    private func degrade(_ reason: String) {
        guard let attachment = state.withLock({ $0.attachment }) else {
            state.withLock { state in
                state.healthy = false
                state.reason = reason
            }
            return
        }
        let changed = attachment.publisher.inOrder {
            let changed = state.withLock { state -> Bool in
                guard state.healthy else { return false }
                state.healthy = false
                state.reason = reason
                return true
            }
            if changed { attachment.publisher.history.discardAll() }
            return changed
        }
        if changed { logger.warning("cluster degraded", metadata: ["node": "\(node)", "reason": "\(reason)"]) }
    }

    /// (Re)opens the query connection, loads the scripts, registers every room and connection
    /// of this node, then, in one step under the publisher's lock: drops the history copies
    /// (Redis's are loaded from then on), starts new shared histories for the rooms whose
    /// pushes could not reach the other nodes meanwhile (so the loss shows as a new epoch), and
    /// turns healthy.
    private func rejoin() async throws(RedisError) {
        let old = state.withLock { $0.query }
        await old?.close()
        let query = try await RedisConnection.connect(configuration: configuration.redis, eventLoopGroup: queryGroup, logger: logger)
        var scripts = Scripts()
        let replies = try await query.send([
            RedisCommand("SCRIPT", ["LOAD", ClusterScripts.publish]), RedisCommand("SCRIPT", ["LOAD", ClusterScripts.load]),
            RedisCommand("SCRIPT", ["LOAD", ClusterScripts.heartbeat]),
        ])
        guard replies.count == 3, let publish = replies[0].string, let load = replies[1].string, let heartbeat = replies[2].string else {
            throw .unexpectedReply(command: "SCRIPT LOAD", reply: "\(replies)")
        }
        (scripts.publish, scripts.load, scripts.heartbeat) = (publish, load, heartbeat)
        let (rooms, connections, attachment) = state.withLock { state in
            state.query = query
            state.scripts = scripts
            return (state.rooms, state.connections, state.attachment)
        }
        let nodes = try await query.send(heartbeatCommand(sha: heartbeat, rooms: rooms, connections: connections))
        let live = nodes.elements?.compactMap(\.string) ?? []
        let turnHealthy = { [self] in
            let (broken, subscriber) = state.withLock { state in
                state.healthy = !state.closed
                state.reason = nil
                state.nodes = live
                defer { state.broken = [] }
                return (state.broken, state.subscriber)
            }
            // On the bus, so before any later publish of this node.
            let keys = broken.flatMap { [prefix + "meta:" + $0.rawValue, prefix + "stream:" + $0.rawValue] }
            if !keys.isEmpty { _ = subscriber?.enqueue([RedisCommand("DEL", keys)]) }
        }
        if let attachment {
            attachment.publisher.inOrder {
                attachment.publisher.history.discardAll()
                turnHealthy()
            }
        } else {
            turnHealthy()
        }
        logger.info("joined the cluster", metadata: ["node": "\(node)", "nodes": "\(live)"])
    }

    // MARK: Registry

    private func startHeartbeat() {
        let interval = configuration.effectiveHeartbeat
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                await self.beat()
            }
        }
        state.withLock { $0.heartbeat = task }
    }

    /// Refreshes this node's lease, rooms and connections.
    private func beat() async {
        guard let (query, sha, rooms, connections) = state.withLock({ state in
            state.healthy ? state.query.map { ($0, state.scripts.heartbeat, state.rooms, state.connections) } : nil
        }) else { return }
        do {
            let reply = try await query.send(heartbeatCommand(sha: sha, rooms: rooms, connections: connections))
            let live = reply.elements?.compactMap(\.string) ?? []
            state.withLock { $0.nodes = live }
        } catch {
            logger.warning("heartbeat failed", metadata: ["node": "\(node)", "error": "\(error)"])
        }
    }

    private func heartbeatCommand(sha: String, rooms: Set<RoomName>, connections: [ConnectionID: RoomName]) -> RedisCommand {
        let policy = state.withLock { $0.attachment }?.publisher.history.policy ?? DeliveryPolicy()
        let longest = ([policy.defaultLimits.maxAge] + policy.rules.map(\.limits.maxAge)).max() ?? .seconds(300)
        let maxAge = max(ClusterConfiguration.milliseconds(longest), 3 * configuration.leaseMilliseconds)
        var arguments = [sha, "0", prefix, node, String(configuration.leaseMilliseconds), String(maxAge), String(rooms.count)]
        arguments += rooms.map(\.rawValue)
        for (id, room) in connections { arguments += [id.rawValue, room.rawValue] }
        return RedisCommand("EVALSHA", arguments.map { Array($0.utf8) })
    }

    /// Registers changes of this node's rooms and connections on the bus connection, ordered
    /// before any later publish.
    private func roomsChanged(_ changes: [RoomChange]) {
        var commands: [RedisCommand] = []
        var added: Set<RoomName> = []
        var connected: [ConnectionID: RoomName] = [:]
        let (subscriber, sha, healthy, attachment) = state.withLock { state in
            for change in changes {
                switch change {
                case .connected(let id, let room):
                    state.connections[id] = room
                    connected[id] = room
                case .disconnected(let id):
                    state.connections[id] = nil
                    commands.append(RedisCommand("DEL", [prefix + "conn:" + id.rawValue]))
                case .occupied(let room):
                    state.rooms.insert(room)
                    added.insert(room)
                case .vacated(let room):
                    state.rooms.remove(room)
                    added.remove(room)
                    commands.append(RedisCommand("ZREM", [prefix + "room:" + room.rawValue, node]))
                }
            }
            return (state.subscriber, state.scripts.heartbeat, state.healthy, state.attachment)
        }
        if !added.isEmpty || !connected.isEmpty { commands.insert(heartbeatCommand(sha: sha, rooms: added, connections: connected), at: 0) }
        if healthy, let subscriber, !commands.isEmpty { _ = subscriber.enqueue(commands) }
        let vacated = changes.compactMap { change -> RoomName? in if case .vacated(let room) = change { return room } else { return nil } }
        if let attachment, !vacated.isEmpty {
            // Not held by this node any more: its copy would miss pushes, so it is dropped.
            busGroup.any().execute {
                attachment.publisher.inOrder {
                    for room in vacated where !attachment.publisher.rooms.exists(room) { attachment.publisher.history.discard(room) }
                }
            }
        }
    }

    // MARK: Replies

    private func historyLimits(of room: RoomName) -> HistoryLimits {
        state.withLock { $0.attachment }?.publisher.history.policy.limits(for: room) ?? HistoryLimits()
    }

    private static func evalsha(_ sha: String, _ arguments: [String]) -> RedisCommand {
        RedisCommand("EVALSHA", ([sha, "0"] + arguments).map { Array($0.utf8) })
    }

    /// The push the publish script's reply describes, for this node's recipients.
    private static func placed(
        from reply: RESPValue, kind: Character, target: String, excluded: String, deliveryClass: Character, key: String,
        createdAt: Int64, frame: [UInt8]
    ) -> PlacedPush? {
        guard let items = reply.elements, items.count == 6, let epoch = items[0].integer, let offset = items[1].integer,
            let sequence = items[2].integer, let now = items[3].integer, let published = items[4].integer, published >= 0
        else { return nil }
        return PlacedPush(
            kind: UInt8(ascii: kind.unicodeScalars.first ?? "r"), target: target, room: items[5].string ?? "", excluded: excluded,
            deliveryClass: UInt8(ascii: deliveryClass.unicodeScalars.first ?? "v"), epoch: UInt32(truncatingIfNeeded: epoch),
            offset: UInt64(max(offset, 0)), sequence: UInt64(max(sequence, 0)), createdAt: createdAt, placedAt: now, key: key, frame: frame
        )
    }

    /// The load script's reply as a shared history.
    private static func sharedHistory(from reply: RESPValue) -> SharedHistory? {
        guard let items = reply.elements, items.count == 5, let epoch = items[0].string.flatMap({ UInt32($0) }),
            let offset = items[1].string.flatMap({ UInt64($0) }), let sequence = items[2].string.flatMap({ UInt64($0) })
        else { return nil }
        var entries: [SharedHistory.Entry] = []
        for item in items[4].elements ?? [] {
            guard let pair = item.elements, pair.count == 2, let fields = pair[1].elements else { return nil }
            var values: [String: RESPValue] = [:]
            var index = 0
            while index + 1 < fields.count {
                if let name = fields[index].string { values[name] = fields[index + 1] }
                index += 2
            }
            guard let entryOffset = values["o"]?.string.flatMap({ UInt64($0) }), let position = values["p"]?.string.flatMap({ UInt64($0) }),
                let entrySequence = values["s"]?.string.flatMap({ UInt64($0) }), let at = values["t"]?.string.flatMap({ Int64($0) }),
                case .bulkString(let stored?) = values["f"]
            else { return nil }
            var frame = stored
            if entryOffset > 0 { FrameCodec.setPushPosition(epoch: epoch, offset: entryOffset, in: &frame) }
            let key = values["k"]?.string ?? ""
            entries.append(SharedHistory.Entry(offset: entryOffset, key: entryOffset > 0 ? nil : key, position: position, sequence: entrySequence, appendedAt: at, frame: frame))
        }
        return SharedHistory(epoch: epoch, offset: offset, sequence: sequence, entries: entries, isComplete: items[3].string != "1")
    }

    /// Waits for `future` from a thread that is not its event loop's, at most `timeout`.
    private static func wait<Value: Sendable>(for future: EventLoopFuture<Value>, timeout: Duration) -> Result<Value, any Error> {
        let box = Mutex<Result<Value, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { result in
            box.withLock { $0 = result }
            done.signal()
        }
        let milliseconds = Int(ClusterConfiguration.milliseconds(timeout))
        guard done.wait(timeout: .now() + .milliseconds(milliseconds)) == .success, let result = box.withLock({ $0 }) else {
            return .failure(RedisError.timeout(command: "EVALSHA (load)", after: .milliseconds(Int64(milliseconds))))
        }
        return result
    }
}
