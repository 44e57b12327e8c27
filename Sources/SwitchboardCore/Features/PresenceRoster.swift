/// Who is on one stream: users and how many connections each has there.
///
/// A pure value: ``add(user:connection:)`` says whether the user just arrived (first
/// connection) and ``remove(user:connection:)`` whether they just left (last connection), so
/// a user with several tabs joins once and leaves once.
public struct PresenceRoster: Sendable, Hashable {
    private var connections: [String: Set<ConnectionID>] = [:]

    /// An empty roster.
    public init() {}

    /// Whether nobody is present.
    public var isEmpty: Bool { connections.isEmpty }

    /// Records a connection of a user; `true` when it is the user's first.
    public mutating func add(user: String, connection: ConnectionID) -> Bool {
        let isFirst = connections[user] == nil
        connections[user, default: []].insert(connection)
        return isFirst
    }

    /// Forgets a connection of a user; `true` when it was the user's last.
    public mutating func remove(user: String, connection: ConnectionID) -> Bool {
        guard connections[user]?.remove(connection) != nil else { return false }
        guard connections[user]?.isEmpty == true else { return false }
        connections[user] = nil
        return true
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
