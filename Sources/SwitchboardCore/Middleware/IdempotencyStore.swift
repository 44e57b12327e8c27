/// Where ``Idempotency`` keeps its keys and their answers: in this process
/// (``LocalIdempotencyStore``, the default) or shared by the nodes of a cluster (e.g.
/// `SwitchboardCluster`'s `RedisIdempotencyStore`), so a request retried on another node after
/// a reconnect gets the first answer.
public protocol IdempotencyStore: Sendable {
    /// Claims `key` in `scope` (a user id, `""` for anonymous requests) for a request with
    /// `fingerprint` (method and path), or says what a repeat gets; a repeat of a request that
    /// is still running waits for its answer.
    func begin(scope: String, key: String, fingerprint: String) async -> IdempotencyStart

    /// Records the answer of the request that claimed `key` with `fingerprint` (`nil`: it
    /// threw, so the key is forgotten and a repeat runs again) and wakes the repeats waiting
    /// for it.
    func finish(scope: String, key: String, fingerprint: String, reply: Reply?)
}

/// How a request with an idempotency key proceeds (``IdempotencyStore/begin(scope:key:fingerprint:)``).
public enum IdempotencyStart: Sendable, Hashable {
    /// The first with this key: run it and remember its answer.
    case first
    /// A repeat: send the remembered answer.
    case answered(Reply)
    /// The key was first used for another request (its method and path).
    case mismatch(String)
    /// The first attempt threw: run without remembering.
    case rerun
    /// The store cannot be reached: the request is refused (503) rather than risk running twice.
    case unavailable(String)
}
