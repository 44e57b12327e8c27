/// What a node knows of its cluster now: the answer of a health route.
public struct ClusterHealth: Sendable, Hashable, Codable {
    /// `ok` while Redis answers; `degraded` while it does not: pushes then reach this node's
    /// connections only, and the node re-registers everything when Redis is back.
    public var status: String
    /// This node's id.
    public var node: String
    /// The live nodes, this one included, as of the last heartbeat.
    public var nodes: [String]
    /// Pushes whose other nodes' part could not be sent (Redis unavailable) since start.
    public var crossNodeFailures: Int
    /// Rooms' shared histories this node read from Redis while the caller waited (a room's
    /// first join, subscribe or resume here; a new connection's random client room needs none)
    /// since start.
    public var historyLoads: Int
    /// Why the node is degraded; `nil` when it is not.
    public var reason: String?
}
