import Logging
import NIOCore
import Switchboard
import SwitchboardRedis

/// Membership: joining, degrading and rejoining, the heartbeat that refreshes this node's lease,
/// rooms and connections, and their registration as they change.
extension RedisClusterBus {
    /// Stops using Redis until ``rejoin()``: this node's history copies are dropped in the same
    /// step (under the publisher's lock), so pushes delivered meanwhile start histories of their
    /// own (new epochs) and never continue a shared one with offsets Redis did not give.
    func degrade(_ reason: String) {
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
            if changed {
                attachment.publisher.history.discardAll()
                state.withLock { $0.started = [:] }
            }
            return changed
        }
        if changed { logger.warning("cluster degraded", metadata: ["node": "\(node)", "reason": "\(reason)"]) }
    }

    /// (Re)opens the query connection, loads the scripts, registers every room and connection
    /// of this node, then, in one step under the publisher's lock: drops the history copies
    /// (Redis's are loaded from then on), starts new shared histories for the rooms whose
    /// pushes could not reach the other nodes meanwhile (so the loss shows as a new epoch), and
    /// turns healthy.
    func rejoin() async throws(RedisError) {
        let old = state.withLock { $0.query }
        await old?.close()
        let query = try await RedisConnection.connect(configuration: configuration.redis, eventLoopGroup: queryGroup, logger: logger)
        var scripts = Scripts()
        let sources = [
            ClusterScripts.publish, ClusterScripts.load, ClusterScripts.heartbeat, ClusterScripts.presence, ClusterScripts.presenceBeat,
            ClusterScripts.idempotency,
        ]
        let replies = try await query.send(sources.map { RedisCommand("SCRIPT", ["LOAD", $0]) })
        let shas = replies.compactMap(\.string)
        guard shas.count == sources.count else { throw .unexpectedReply(command: "SCRIPT LOAD", reply: "\(replies)") }
        (scripts.publish, scripts.load, scripts.heartbeat, scripts.presence, scripts.presenceBeat, scripts.idempotency) = (shas[0], shas[1], shas[2], shas[3], shas[4], shas[5])
        let (rooms, connections, attachment) = state.withLock { state in
            state.query = query
            state.scripts = scripts
            return (state.rooms, state.connections, state.attachment)
        }
        let nodes = try await query.send(heartbeatCommand(sha: scripts.heartbeat, rooms: rooms, connections: connections))
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
        beatPresence()
        logger.info("joined the cluster", metadata: ["node": "\(node)", "nodes": "\(live)"])
    }

    // MARK: Registry

    func startHeartbeat() {
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

    /// Refreshes this node's lease, rooms, connections and presence.
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
        beatPresence()
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
    /// before any later publish. A new connection's random client room gets its shared
    /// history started first, with an epoch picked here (``loadHistory(of:)`` then needs no
    /// round trip).
    func roomsChanged(_ changes: [RoomChange]) {
        var commands: [RedisCommand] = []
        var added: Set<RoomName> = []
        var connected: [ConnectionID: RoomName] = [:]
        var started: [(room: RoomName, epoch: UInt32)] = []
        let (subscriber, sha, healthy, attachment) = state.withLock { state in
            for change in changes {
                switch change {
                case .connected(let id, let room):
                    state.connections[id] = room
                    connected[id] = room
                    if state.healthy, state.subscriber != nil, room.isRandomClientRoom {
                        let epoch = UInt32.random(in: 1...UInt32.max)
                        state.started[room] = epoch
                        started.append((room, epoch))
                    }
                case .disconnected(let id):
                    if let room = state.connections[id] { state.started[room] = nil }
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
            return (state.subscriber, (heartbeat: state.scripts.heartbeat, load: state.scripts.load), state.healthy, state.attachment)
        }
        if !added.isEmpty || !connected.isEmpty { commands.insert(heartbeatCommand(sha: sha.heartbeat, rooms: added, connections: connected), at: 0) }
        // Before the connection's registration: no push can reach the room before its epoch.
        commands.insert(contentsOf: started.map { loadCommand(sha: sha.load, room: $0.room, epoch: $0.epoch) }, at: 0)
        if healthy, let subscriber, !commands.isEmpty {
            let replies = subscriber.enqueue(commands)
            if !started.isEmpty {
                replies.whenSuccess { [self, started] replies in checkStarted(started, replies: replies) }
            }
        }
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
}
