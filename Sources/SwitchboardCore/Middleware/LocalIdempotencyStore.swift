import Synchronization

/// Idempotency keys kept in this process (``Idempotency``'s default store): a repeat of a
/// running request waits for its answer through a continuation; bounded in time and count.
public final class LocalIdempotencyStore: IdempotencyStore {
    /// How long a key's answer is remembered.
    public let lifetime: Duration
    /// How many keys are remembered per user.
    public let maxKeysPerUser: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let store = Mutex(Store())

    /// Remembers keys for `lifetime` and at most `maxKeysPerUser` per user (the oldest finished
    /// ones forgotten first); `now` is the clock (injectable for tests).
    public init(lifetime: Duration = .seconds(600), maxKeysPerUser: Int = 1000, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.lifetime = lifetime
        self.maxKeysPerUser = max(1, maxKeysPerUser)
        self.now = now
    }

    /// Claims the key, or answers a repeat (waiting while the first attempt runs).
    public func begin(scope: String, key: String, fingerprint: String) async -> IdempotencyStart {
        let instant = now()
        let immediate = store.withLock { store -> IdempotencyStart? in
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
    public func finish(scope: String, key: String, fingerprint: String, reply: Reply?) {
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
