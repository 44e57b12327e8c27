import Foundation
import Synchronization

/// Every live connection of this node, by id and by user.
///
/// Thread-safe: one `Mutex` around two dictionaries, so a lookup is a lock and a hash. The
/// transport adds an entry when a connection is accepted and removes it when the connection
/// closes; rooms and pushes use it to tell live connections from dead ones and to find the
/// transport's ``ConnectionEntry/handle`` for each recipient, one lock per push.
public final class ConnectionRegistry<Handle: Sendable>: Sendable {
    private struct State {
        var entries: [ConnectionID: ConnectionEntry<Handle>] = [:]
        var byUser: [String: Set<ConnectionID>] = [:]
        var version: UInt64 = 0

        mutating func index(_ id: ConnectionID, user: String?) {
            guard let user else { return }
            byUser[user, default: []].insert(id)
        }

        mutating func unindex(_ id: ConnectionID, user: String?) {
            guard let user else { return }
            byUser[user]?.remove(id)
            if byUser[user]?.isEmpty == true { byUser[user] = nil }
        }
    }

    private let state = Mutex(State())

    /// An empty registry.
    public init() {}

    /// Changes whenever a connection is added, replaced or removed (not when its activity or
    /// expiry changes): equal versions mean the same connections and handles.
    public var version: UInt64 { state.withLock { $0.version } }

    /// The number of live connections.
    public var count: Int { state.withLock { $0.entries.count } }

    /// The entry for `id`, or `nil` when the connection is gone or never existed.
    public func get(_ id: ConnectionID) -> ConnectionEntry<Handle>? {
        state.withLock { $0.entries[id] }
    }

    /// Whether `id` is a live connection.
    public func contains(_ id: ConnectionID) -> Bool {
        state.withLock { $0.entries[id] != nil }
    }

    /// Inserts a connection, or merges into the existing entry with the same id: the handle is
    /// replaced, and `clientId`, `userId`, `isActive` and `expiresAt` only when given
    /// (non-`nil`).
    /// - Returns: the entry as stored.
    @discardableResult
    public func add(id: ConnectionID, handle: Handle, clientId: String? = nil, userId: String? = nil, isActive: Bool? = nil, expiresAt: Date? = nil) -> ConnectionEntry<Handle> {
        state.withLock { state in
            state.version &+= 1
            if var entry = state.entries[id] {
                if let userId, userId != entry.userId {
                    state.unindex(id, user: entry.userId)
                    entry.userId = userId
                    state.index(id, user: userId)
                }
                if let clientId { entry.clientId = clientId }
                if let isActive { entry.isActive = isActive }
                if let expiresAt { entry.expiresAt = expiresAt }
                entry.handle = handle
                state.entries[id] = entry
                return entry
            }
            let entry = ConnectionEntry(id: id, clientId: clientId, userId: userId, isActive: isActive ?? true, expiresAt: expiresAt, handle: handle)
            state.entries[id] = entry
            state.index(id, user: userId)
            return entry
        }
    }

    /// Removes a connection.
    /// - Returns: the entry removed, or `nil` when there was none.
    @discardableResult
    public func remove(_ id: ConnectionID) -> ConnectionEntry<Handle>? {
        state.withLock { state in
            guard let entry = state.entries.removeValue(forKey: id) else { return nil }
            state.version &+= 1
            state.unindex(id, user: entry.userId)
            return entry
        }
    }

    /// Sets a connection's `isActive` (the route a client calls when it goes idle or comes back).
    /// - Returns: `false` when the connection is gone.
    @discardableResult
    public func update(_ id: ConnectionID, isActive: Bool) -> Bool {
        state.withLock { state in
            guard state.entries[id] != nil else { return false }
            state.entries[id]?.isActive = isActive
            return true
        }
    }

    /// Records a connection's refreshed credentials: when its identity now expires (`nil`:
    /// never). Auth-gated pushes reach it again.
    /// - Returns: `false` when the connection is gone.
    @discardableResult
    public func refresh(_ id: ConnectionID, expiresAt: Date?) -> Bool {
        state.withLock { state in
            guard state.entries[id] != nil else { return false }
            state.entries[id]?.expiresAt = expiresAt
            return true
        }
    }

    /// Every live connection of a user (all their tabs and devices on this node).
    public func connections(ofUser userId: String) -> [ConnectionEntry<Handle>] {
        state.withLock { state in
            guard let ids = state.byUser[userId] else { return [] }
            return ids.compactMap { state.entries[$0] }
        }
    }

    /// Removes every connection of a user and returns them, so the transport can close each
    /// one ("unauthenticate", e.g. after a password change).
    public func removeAll(ofUser userId: String) -> [ConnectionEntry<Handle>] {
        state.withLock { state in
            guard let ids = state.byUser.removeValue(forKey: userId) else { return [] }
            state.version &+= 1
            return ids.compactMap { state.entries.removeValue(forKey: $0) }
        }
    }

    /// Every live connection, except `excluded`.
    public func allRecipients(excluding excluded: ConnectionID? = nil) -> [Recipient<Handle>] {
        state.withLock { state in
            var recipients: [Recipient<Handle>] = []
            recipients.reserveCapacity(state.entries.count)
            for (id, entry) in state.entries where id != excluded {
                recipients.append(Recipient(id: id, handle: entry.handle))
            }
            return recipients
        }
    }

    /// Splits `ids` into live recipients (with their handles) and ids that are gone, under one
    /// lock; `excluded` is left out of both, and so are, when `authenticatedAt` is given,
    /// live connections not authenticated at that time (an auth-gated room's push).
    public func resolve<IDs: Sequence<ConnectionID>>(_ ids: IDs, excluding excluded: ConnectionID? = nil, authenticatedAt now: Date? = nil) -> (live: [Recipient<Handle>], gone: [ConnectionID]) {
        state.withLock { state in
            var live: [Recipient<Handle>] = []
            live.reserveCapacity(ids.underestimatedCount)
            var gone: [ConnectionID] = []
            for id in ids where id != excluded {
                if let entry = state.entries[id] {
                    if let now, !entry.isAuthenticated(at: now) { continue }
                    live.append(Recipient(id: id, handle: entry.handle))
                } else {
                    gone.append(id)
                }
            }
            return (live, gone)
        }
    }
}
