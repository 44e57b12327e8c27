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
/// - Bounded: a key is remembered for a lifetime (default 10 minutes) and at most
///   1,000 keys per user by default, the oldest forgotten first.
/// - Keys live in an ``IdempotencyStore``: this process's by default; on one node of several,
///   pass a store the nodes share (`Idempotency(store: RedisIdempotencyStore(bus: bus))` with
///   `SwitchboardCluster`), so a retry that reconnected to another node gets the first answer.
/// - It is asynchronous middleware: routes behind it are answered through a task, so install it
///   on the routes that need it (POST, PATCH) rather than on the whole router.
public final class Idempotency: Sendable {
    /// Where keys and answers are kept.
    public let store: any IdempotencyStore
    /// The query item that carries the key.
    public let queryName: String

    /// Keeps keys in `store`.
    public init(store: any IdempotencyStore, queryName: String = "idempotencyKey") {
        self.store = store
        self.queryName = queryName
    }

    /// Keeps keys in this process (a ``LocalIdempotencyStore``) for `lifetime` and at most
    /// `maxKeysPerUser` per user; `now` is the clock (injectable for tests).
    public convenience init(
        lifetime: Duration = .seconds(600), maxKeysPerUser: Int = 1000, queryName: String = "idempotencyKey",
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.init(store: LocalIdempotencyStore(lifetime: lifetime, maxKeysPerUser: maxKeysPerUser, now: now), queryName: queryName)
    }

    /// How many keys are remembered for `userId` (`""` for anonymous requests) in a
    /// ``LocalIdempotencyStore``; 0 with another store.
    public func count(forUser userId: String) -> Int {
        (store as? LocalIdempotencyStore)?.count(forUser: userId) ?? 0
    }

    /// The middleware to install.
    public var middleware: Middleware {
        Middleware { [self] req, res, next in
            guard let key = try req.query[queryName], !key.isEmpty else { return try await next() }
            let scope = req.identity?.userId ?? ""
            let fingerprint = "\(req.method) \(req.path)"
            switch await store.begin(scope: scope, key: key, fingerprint: fingerprint) {
            case .first:
                do {
                    try await next()
                } catch {
                    store.finish(scope: scope, key: key, fingerprint: fingerprint, reply: nil)
                    throw error
                }
                // The exchange records a reply sent after it ended (connection closed, 504), so
                // only a chain that returned without answering leaves nothing; it ran, so a
                // repeat must not run it again.
                let reply = res.exchange.withLock { $0.reply } ?? Self.lostAnswer(key: key)
                store.finish(scope: scope, key: key, fingerprint: fingerprint, reply: reply)
            case .answered(let reply):
                res.status(reply.status).send(reply.body)
            case .mismatch(let first):
                throw HTTPError(.unprocessableContent, "idempotency key \(key) was first used for \(first)")
            case .rerun:
                try await next()
            case .unavailable(let reason):
                throw HTTPError(.serviceUnavailable, "idempotency key \(key) cannot be checked: \(reason)")
            }
        }
    }

    /// What a repeat gets when the first attempt ran but its answer could not be kept.
    static func lostAnswer(key: String) -> Reply {
        Reply(status: .conflict, body: HTTPError(.conflict, "the request with idempotency key \(key) already ran; its answer was lost with its connection").body)
    }
}
