/// Who is on one stream: users and how many connections each has there.
///
/// A pure value: ``add(user:connection:)`` and ``remove(user:connection:)`` return the user's
/// connection count after the change (1 on arrival, 0 on departure), or `nil` when nothing
/// changed, so every change of a count can be announced with the new count.
public struct PresenceRoster: Sendable, Hashable {
    private var connections: [String: Set<ConnectionID>] = [:]

    /// An empty roster.
    public init() {}

    /// Whether nobody is present.
    public var isEmpty: Bool { connections.isEmpty }

    /// Records a connection of a user; the user's count after it (1 when it is their first),
    /// or `nil` when the connection was already recorded.
    public mutating func add(user: String, connection: ConnectionID) -> Int? {
        guard connections[user, default: []].insert(connection).inserted else { return nil }
        return connections[user]?.count
    }

    /// Forgets a connection of a user; the user's count after it (0 when it was their last),
    /// or `nil` when the connection was not recorded.
    public mutating func remove(user: String, connection: ConnectionID) -> Int? {
        guard connections[user]?.remove(connection) != nil else { return nil }
        let count = connections[user]?.count ?? 0
        if count == 0 { connections[user] = nil }
        return count
    }

    /// The users present with their connection counts, sorted by user id.
    public var users: [PresenceList.User] {
        connections.map { PresenceList.User(userId: $0.key, connections: $0.value.count) }.sorted { $0.userId < $1.userId }
    }
}

/// The presence list route's answer (and the list pushed to a connection that opens presence).
///
/// Encodes as `{"stream":"board:7:presence","users":[{"connections":2,"userId":"alice"}]}`.
public struct PresenceList: Sendable, Hashable, Codable {
    /// A user present and their number of connections on the stream.
    public struct User: Sendable, Hashable, Codable {
        /// The user's id.
        public var userId: String
        /// How many of the user's connections are on the stream (e.g. tabs).
        public var connections: Int

        /// A present user.
        public init(userId: String, connections: Int) {
            self.userId = userId
            self.connections = connections
        }
    }

    /// The stream, e.g. `board:7:presence`.
    public var stream: String
    /// The users present, sorted by id.
    public var users: [User]

    /// A list.
    public init(stream: String, users: [User]) {
        self.stream = stream
        self.users = users
    }
}
