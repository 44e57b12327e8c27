public import Switchboard

/// Idempotency keys kept in Redis and shared by every node of a cluster: a request retried on
/// another node (e.g. after a reconnect) gets the first attempt's answer instead of running
/// again.
///
/// ```swift
/// let idempotency = Idempotency(store: RedisIdempotencyStore(bus: bus))
/// router.post("/boards", idempotency.middleware) { req, res in … }
/// ```
///
/// Each step is one script call on the bus's query connection: claiming a key (`SET NX` with
/// the lifetime), recording the answer, forgetting the key of an attempt that threw. A repeat of
/// a request still running (on any node) checks again every 20–250 ms, at most ``maxWait``, then
/// gets 409. While Redis cannot be reached, keyed requests are answered 503 rather than risk
/// running twice.
public final class RedisIdempotencyStore: IdempotencyStore {
    /// How long a key's answer is remembered.
    public let lifetime: Duration
    /// How many keys are remembered per user (the oldest finished ones forgotten first).
    public let maxKeysPerUser: Int
    /// How long a repeat waits for a first attempt that is still running.
    public let maxWait: Duration
    private let bus: RedisClusterBus

    /// A store in `bus`'s Redis, with the bounds of a ``LocalIdempotencyStore``.
    public init(bus: RedisClusterBus, lifetime: Duration = .seconds(600), maxKeysPerUser: Int = 1000, maxWait: Duration = .seconds(30)) {
        self.bus = bus
        self.lifetime = lifetime
        self.maxKeysPerUser = max(1, maxKeysPerUser)
        self.maxWait = maxWait
    }

    /// Claims the key in Redis, or answers a repeat (waiting while the first attempt runs).
    public func begin(scope: String, key: String, fingerprint: String) async -> IdempotencyStart {
        let lifetime = String(ClusterConfiguration.milliseconds(lifetime))
        // A key that expires between the claim and the read is claimed again, at most twice.
        for _ in 0..<3 {
            guard let reply = await bus.idempotency(["b", scope, key].map { Array($0.utf8) } + [Array("r\t\(fingerprint)".utf8), Array(lifetime.utf8), Array(String(maxKeysPerUser).utf8)]) else {
                return .unavailable("Redis cannot be reached")
            }
            if case .integer(1) = reply { return .first }
            guard case .bulkString(let value?) = reply else { continue }
            return await repeatOf(StoredAnswer(value), scope: scope, key: key, fingerprint: fingerprint)
        }
        return .unavailable("the key expired while it was read")
    }

    /// Records the answer (or forgets the key) without waiting for Redis.
    public func finish(scope: String, key: String, fingerprint: String, reply: Reply?) {
        var arguments = [reply == nil ? "f" : "d", scope, key].map { Array($0.utf8) }
        if let reply { arguments.append(StoredAnswer.done(reply, fingerprint: fingerprint)) }
        bus.enqueueIdempotency(arguments)
    }

    /// What a repeat gets: the answer, or, while the first attempt runs, the answer once it
    /// comes (polling, at most ``maxWait``).
    private func repeatOf(_ first: StoredAnswer?, scope: String, key: String, fingerprint: String) async -> IdempotencyStart {
        var stored = first
        var delay = Duration.milliseconds(20)
        let deadline = ContinuousClock.now + maxWait
        while true {
            guard let current = stored else { return .rerun }
            guard current.fingerprint == fingerprint else { return .mismatch(current.fingerprint) }
            if let reply = current.reply { return .answered(reply) }
            guard ContinuousClock.now + delay < deadline else { break }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(250))
            guard let reply = await bus.idempotency(["g", scope, key].map { Array($0.utf8) }) else { return .unavailable("Redis cannot be reached") }
            guard case .bulkString(let value?) = reply else { return .rerun }
            stored = StoredAnswer(value)
        }
        let error = HTTPError(.conflict, "the request with idempotency key \(key) is still running")
        return .answered(Reply(status: .conflict, body: error.body))
    }
}

/// A key's value in Redis: `r\t<fingerprint>` while running, `d\t<fingerprint>\n<status>\n<body>`
/// once answered.
struct StoredAnswer {
    var fingerprint: String
    var reply: Reply?

    /// Reads a stored value; `nil` when it is not one.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 2, bytes[1] == UInt8(ascii: "\t") else { return nil }
        let rest = bytes[2...]
        switch bytes[0] {
        case UInt8(ascii: "r"):
            fingerprint = String(decoding: rest, as: UTF8.self)
            reply = nil
        case UInt8(ascii: "d"):
            guard let first = rest.firstIndex(of: UInt8(ascii: "\n")),
                let second = rest[(first + 1)...].firstIndex(of: UInt8(ascii: "\n")),
                let code = Int(String(decoding: rest[(first + 1)..<second], as: UTF8.self)), let status = Status(code: code)
            else { return nil }
            fingerprint = String(decoding: rest[..<first], as: UTF8.self)
            reply = Reply(status: status, body: rest[(second + 1)...])
        default:
            return nil
        }
    }

    /// The value of an answered key.
    static func done(_ reply: Reply, fingerprint: String) -> [UInt8] {
        Array("d\t\(fingerprint)\n\(reply.status.code)\n".utf8) + reply.body
    }
}
