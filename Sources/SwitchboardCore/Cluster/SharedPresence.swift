/// Where a ``Presence`` keeps its counts when its server is one node of several (e.g. a cluster
/// bus), so that the presence list and the joined/updated/left pushes are cluster-wide: each
/// node records its own count of each user's connections on each stream, and a user's count
/// is the sum over the live nodes. A node that dies stops counting when its lease ends; the
/// node that notices publishes the departures (``Presence/departure(of:on:remaining:)``).
public protocol SharedPresence: Sendable {
    /// Called once, by ``Presence/share(through:)``: the presence whose counts are shared.
    func attach(_ presence: Presence)

    /// Records this node's count of a user's connections on a stream, then publishes the
    /// pushes `announce` makes from the cluster-wide tally after the change. Called holding the
    /// presence's lock, so changes are recorded in the order they happened; `announce` runs
    /// later, not holding it. When the shared store cannot be reached, the tally is this node's.
    func record(_ change: PresenceRecord, announce: @escaping @Sendable (PresenceTally) -> [Push])

    /// Who is on `stream` across every node; `nil` when the shared store cannot be reached.
    func users(on stream: StreamName) async -> [PresenceList.User]?
}

/// One change of this node's presence, for ``SharedPresence/record(_:announce:)``.
public struct PresenceRecord: Sendable, Hashable {
    /// The stream.
    public var stream: StreamName
    /// The user whose count changed; `nil` when no count changed (an unauthenticated
    /// connection opened the stream and only needs the list).
    public var userId: String?
    /// The user's number of connections on this node after the change (0: none left here).
    public var count: Int
    /// Whether the tally must carry the stream's users (for the list pushed on open).
    public var wantsList: Bool

    /// A change.
    public init(stream: StreamName, userId: String?, count: Int, wantsList: Bool) {
        self.stream = stream
        self.userId = userId
        self.count = count
        self.wantsList = wantsList
    }
}

/// The cluster-wide presence after a ``PresenceRecord``.
public struct PresenceTally: Sendable, Hashable {
    /// The user's number of connections on the stream across every node (0 without a user).
    public var total: Int
    /// The stream's users across every node, sorted by id, when asked for.
    public var users: [PresenceList.User]?

    /// A tally.
    public init(total: Int, users: [PresenceList.User]?) {
        self.total = total
        self.users = users
    }
}
