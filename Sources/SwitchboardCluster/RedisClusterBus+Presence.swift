import Logging
import NIOCore
import Switchboard
import SwitchboardRedis

/// Presence shared by every node (`SharedPresence`): each change of this node's counts is one
/// script call on the bus connection, in the order the changes happened, and its answer (the
/// cluster-wide tally) is announced as ordinary pushes to the stream's room.
extension RedisClusterBus {
    /// Keeps `presence` (weakly) to rewrite its counts at each heartbeat and to announce the
    /// departures of dead nodes' users.
    public func attach(_ presence: Presence) {
        state.withLock { $0.presence = presence }
    }

    /// Records this node's count with one `EVALSHA` on the bus connection and publishes what
    /// `announce` makes of the answer; while degraded, announces this node's own tally.
    public func record(_ change: PresenceRecord, announce: @escaping @Sendable (PresenceTally) -> [Push]) {
        guard let (subscriber, sha) = state.withLock({ state in state.healthy ? state.subscriber.map { ($0, state.scripts.presence) } : nil }) else {
            announceLocally(change, announce)
            return
        }
        subscriber.enqueue([presenceCommand(sha: sha, mode: "w", change)]).whenComplete { [weak self] result in
            guard let self else { return }
            guard case .success(let replies) = result, let tally = Self.tally(from: replies.first) else {
                self.logger.error("cannot record presence", metadata: ["stream": "\(change.stream)", "result": "\(result)"])
                self.announceLocally(change, announce)
                return
            }
            self.publishPresence(announce(tally))
        }
    }

    /// Reads the stream's users on every live node (one round trip on the query connection).
    public func users(on stream: StreamName) async -> [PresenceList.User]? {
        guard let (query, sha) = state.withLock({ state in state.healthy ? state.query.map { ($0, state.scripts.presence) } : nil }) else { return nil }
        let command = presenceCommand(sha: sha, mode: "r", PresenceRecord(stream: stream, userId: nil, count: 0, wantsList: true))
        guard let replies = try? await query.send([command]), let tally = Self.tally(from: replies.first) else { return nil }
        return tally.users
    }

    /// Rewrites this node's presence counts in Redis, on the bus connection (so in order with
    /// the changes), and announces the departures of the nodes it pruned.
    func beatPresence() {
        guard let presence = state.withLock({ $0.presence }) else { return }
        let sent = presence.withCounts { counts -> EventLoopFuture<[RESPValue]>? in
            guard !counts.isEmpty,
                let (subscriber, sha) = state.withLock({ state in state.healthy ? state.subscriber.map { ($0, state.scripts.presenceBeat) } : nil })
            else { return nil }
            var arguments = [sha, "0", prefix, node, String(configuration.leaseMilliseconds)]
            for (stream, users) in counts {
                arguments += [stream.rawValue, String(users.count)]
                for (user, count) in users { arguments += [user, String(count)] }
            }
            return subscriber.enqueue([RedisCommand("EVALSHA", arguments.map { Array($0.utf8) })])
        }
        sent?.whenSuccess { [weak self] replies in
            guard let self, let items = replies.first?.elements, items.count % 3 == 0 else { return }
            var pushes: [Push] = []
            for index in stride(from: 0, to: items.count, by: 3) {
                guard let text = items[index].string, let stream = try? StreamName(text), let user = items[index + 1].string,
                    let total = items[index + 2].integer, let push = presence.departure(of: user, on: stream, remaining: Int(total))
                else { continue }
                pushes.append(push)
            }
            if !pushes.isEmpty {
                self.logger.info("announced a dead node's presence departures", metadata: ["count": "\(pushes.count)"])
                self.publishPresence(pushes)
            }
        }
    }

    private func presenceCommand(sha: String, mode: String, _ change: PresenceRecord) -> RedisCommand {
        let arguments = [
            sha, "0", prefix, node, change.stream.rawValue, String(configuration.leaseMilliseconds), mode, change.userId ?? "",
            String(change.count), change.wantsList ? "1" : "0",
        ]
        return RedisCommand("EVALSHA", arguments.map { Array($0.utf8) })
    }

    /// This node's own tally, announced on the bus's event loop (not under the presence's lock).
    private func announceLocally(_ change: PresenceRecord, _ announce: @escaping @Sendable (PresenceTally) -> [Push]) {
        busGroup.any().execute { [weak self] in
            guard let self else { return }
            let users = self.state.withLock { $0.presence }?.list(change.stream).users ?? []
            self.publishPresence(announce(PresenceTally(total: change.userId == nil ? 0 : change.count, users: change.wantsList ? users : nil)))
        }
    }

    private func publishPresence(_ pushes: [Push]) {
        for (push, error) in publish(pushes) {
            logger.error("presence push not sent", metadata: ["url": "\(push.message.url)", "error": "\(error)"])
        }
    }

    /// The presence script's answer `{total, {user, count, …}}`.
    private static func tally(from reply: RESPValue?) -> PresenceTally? {
        guard let items = reply?.elements, items.count == 2, let total = items[0].integer else { return nil }
        let flat = items[1].elements ?? []
        var users: [PresenceList.User] = []
        var index = 0
        while index + 1 < flat.count {
            if let user = flat[index].string, let count = flat[index + 1].integer, count > 0 { users.append(PresenceList.User(userId: user, connections: Int(count))) }
            index += 2
        }
        return PresenceTally(total: Int(total), users: users.sorted { $0.userId < $1.userId })
    }
}
