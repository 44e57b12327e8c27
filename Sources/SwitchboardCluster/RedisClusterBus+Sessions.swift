import Foundation
import Switchboard
import SwitchboardRedis

/// Parked sessions and idempotency keys in Redis, shared by every node.
extension RedisClusterBus {
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

    // MARK: Idempotency keys

    /// Runs the idempotency script with `arguments` (after the prefix) on the query connection;
    /// `nil` while degraded or when Redis does not answer (within its command timeout).
    func idempotency(_ arguments: [[UInt8]]) async -> RESPValue? {
        guard let (query, sha) = state.withLock({ state in state.healthy ? state.query.map { ($0, state.scripts.idempotency) } : nil }) else { return nil }
        let command = RedisCommand("EVALSHA", [Array(sha.utf8), Array("0".utf8), Array(prefix.utf8)] + arguments)
        guard let replies = try? await query.send([command]), let reply = replies.first, reply.errorMessage == nil else { return nil }
        return reply
    }

    /// Sends the idempotency script with `arguments` on the query connection, not waiting.
    func enqueueIdempotency(_ arguments: [[UInt8]]) {
        guard let (query, sha) = state.withLock({ state in state.healthy ? state.query.map { ($0, state.scripts.idempotency) } : nil }) else { return }
        _ = query.enqueue([RedisCommand("EVALSHA", [Array(sha.utf8), Array("0".utf8), Array(prefix.utf8)] + arguments)])
    }
}
