import Synchronization

/// Server-side idempotency keys: a request that carries a key (the url query item
/// `idempotencyKey`, see PROTOCOL.md "Idempotency keys") runs once per user and key; a repeat
/// is answered with the first answer, without running the handler again.
///
/// ```swift
/// let idempotency = Idempotency()
/// router.post("/boards", idempotency.middleware) { req, res in … }   // or router.use(idempotency.middleware)
/// ```
///
/// - Keys are scoped to `req.identity?.userId` (anonymous requests share one scope; keys are
///   random 128-bit values, so they do not collide).
/// - A repeat that arrives while the first is still running waits for its answer.
/// - Only answers the chain sent (`res.send`, `res.json`, returned values) are remembered. When
///   the chain throws, nothing is remembered: a repeat runs again, and repeats that were
///   waiting run too. When the first attempt's exchange ended before its handler answered
///   (its connection closed, or the 504 deadline passed), the handler's late answer is still
///   remembered and repeats get it. Only when the chain returned without any answer do repeats
///   get 409 `{"error":"the request with idempotency key <key> already ran; its answer was lost
///   with its connection"}`; the handler never runs twice.
/// - The same key on another method or path is answered 422.
/// - Bounded: a key is remembered for ``lifetime`` (default 10 minutes) and at most
///   ``maxKeysPerUser`` (default 1,000) per user, the oldest forgotten first.
/// - It is asynchronous middleware: routes behind it are answered through a task, so install it
///   on the routes that need it (POST, PATCH) rather than on the whole router.
public final class Idempotency: Sendable {
    /// How long a key's answer is remembered.
    public let lifetime: Duration
    /// How many keys are remembered per user.
    public let maxKeysPerUser: Int
    /// The query item that carries the key.
    public let queryName: String
    private let now: @Sendable () -> ContinuousClock.Instant
    private let store = Mutex(Store())

    /// Remembers keys for `lifetime` and at most `maxKeysPerUser` per user; `now` is the clock
    /// (injectable for tests).
    public init(
        lifetime: Duration = .seconds(600), maxKeysPerUser: Int = 1000, queryName: String = "idempotencyKey",
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.lifetime = lifetime
        self.maxKeysPerUser = max(1, maxKeysPerUser)
        self.queryName = queryName
        self.now = now
    }

    /// The middleware to install.
    public var middleware: Middleware {
        Middleware { [self] req, res, next in
            guard let key = try req.query[queryName], !key.isEmpty else { return try await next() }
            let scope = req.identity?.userId ?? ""
            let fingerprint = "\(req.method) \(req.path)"
            switch await begin(scope: scope, key: key, fingerprint: fingerprint) {
            case .first:
                do {
                    try await next()
                } catch {
                    finish(scope: scope, key: key, reply: nil)
                    throw error
                }
                // The exchange records a reply sent after it ended (connection closed, 504), so
                // only a chain that returned without answering leaves nothing; it ran, so a
                // repeat must not run it again.
                let reply = res.exchange.withLock { $0.reply } ?? Self.lostAnswer(key: key)
                finish(scope: scope, key: key, reply: reply)
            case .answered(let reply):
                res.status(reply.status).send(reply.body)
            case .mismatch(let first):
                throw HTTPError(.unprocessableContent, "idempotency key \(key) was first used for \(first)")
            case .rerun:
                try await next()
            }
        }
    }

    /// What a repeat gets when the first attempt ran but its answer could not be kept.
    static func lostAnswer(key: String) -> Reply {
        Reply(status: .conflict, body: HTTPError(.conflict, "the request with idempotency key \(key) already ran; its answer was lost with its connection").body)
    }

    /// How a keyed request proceeds.
    private enum Start: Sendable {
        /// The first with this key: run it and remember its answer.
        case first
        /// A repeat: send the remembered answer.
        case answered(Reply)
        /// The key was first used for another request (method and path).
        case mismatch(String)
        /// The first attempt threw: run without remembering.
        case rerun
    }

    private func begin(scope: String, key: String, fingerprint: String) async -> Start {
        let instant = now()
        let immediate = store.withLock { store -> Start? in
            store.prune(scope: scope, at: instant)
            if let entry = store.users[scope]?.entries[key] {
                guard entry.fingerprint == fingerprint else { return .mismatch(entry.fingerprint) }
                if case .done(let reply) = entry.state { return .answered(reply) }
                return nil
            }
            store.insert(scope: scope, key: key, entry: Entry(fingerprint: fingerprint, expiresAt: instant + lifetime, state: .running([])), limit: maxKeysPerUser)
            return .first
        }
        if let immediate { return immediate }
        let reply = await withCheckedContinuation { (continuation: CheckedContinuation<Reply?, Never>) in
            let now = store.withLock { store -> Reply?? in
                guard let entry = store.users[scope]?.entries[key] else { return .some(nil) }
                switch entry.state {
                case .done(let reply): return .some(reply)
                case .running(var waiters):
                    waiters.append(continuation)
                    store.users[scope]?.entries[key]?.state = .running(waiters)
                    return .none
                }
            }
            if let now { continuation.resume(returning: now) }
        }
        return reply.map { .answered($0) } ?? .rerun
    }

    /// Records the first attempt's answer (`nil`: it threw, forget the key) and wakes waiters.
    private func finish(scope: String, key: String, reply: Reply?) {
        let waiters = store.withLock { store -> [CheckedContinuation<Reply?, Never>] in
            guard let entry = store.users[scope]?.entries[key], case .running(let waiters) = entry.state else { return [] }
            if let reply {
                store.users[scope]?.entries[key]?.state = .done(reply)
            } else {
                store.users[scope]?.entries[key] = nil
                store.users[scope]?.order.removeAll { $0 == key }
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: reply) }
    }

    /// How many keys are remembered for `userId` (`""` for anonymous requests).
    public func count(forUser userId: String) -> Int {
        store.withLock { $0.users[userId]?.entries.count ?? 0 }
    }

    private struct Entry: Sendable {
        enum State: Sendable {
            case running([CheckedContinuation<Reply?, Never>])
            case done(Reply)
        }

        let fingerprint: String
        let expiresAt: ContinuousClock.Instant
        var state: State
    }

    private struct UserKeys: Sendable {
        var entries: [String: Entry] = [:]
        /// Keys, oldest first (every entry lives equally long, so also by expiry).
        var order: [String] = []
    }

    private struct Store: Sendable {
        var users: [String: UserKeys] = [:]
        var insertsSinceSweep = 0

        /// Forgets `scope`'s expired keys and, now and then, every user's.
        mutating func prune(scope: String, at instant: ContinuousClock.Instant) {
            insertsSinceSweep += 1
            if insertsSinceSweep >= 1024 {
                insertsSinceSweep = 0
                for user in Array(users.keys) { pruneUser(user, at: instant) }
            } else {
                pruneUser(scope, at: instant)
            }
        }

        private mutating func pruneUser(_ scope: String, at instant: ContinuousClock.Instant) {
            guard var keys = users[scope] else { return }
            var expired = 0
            for key in keys.order {
                guard let entry = keys.entries[key], entry.expiresAt <= instant, case .done = entry.state else { break }
                keys.entries[key] = nil
                expired += 1
            }
            keys.order.removeFirst(expired)
            users[scope] = keys.entries.isEmpty ? nil : keys
        }

        /// Adds a key, forgetting the user's oldest finished keys beyond `limit`.
        mutating func insert(scope: String, key: String, entry: Entry, limit: Int) {
            var keys = users[scope] ?? UserKeys()
            var index = 0
            while keys.entries.count >= limit && index < keys.order.count {
                let oldest = keys.order[index]
                if case .done = keys.entries[oldest]?.state {
                    keys.entries[oldest] = nil
                    keys.order.remove(at: index)
                } else {
                    index += 1
                }
            }
            keys.entries[key] = entry
            keys.order.append(key)
            users[scope] = keys
        }
    }
}
