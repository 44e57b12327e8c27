/// How the server of one node publishes when it is one of several nodes: the seam between the
/// server and a cluster bus (e.g. `SwitchboardCluster`'s Redis bus). Without one, the server
/// publishes in process through its ``PushPublisher``.
///
/// A bus delivers this node's recipients of each push itself, through the
/// ``ClusterAttachment`` the server gives it, and carries each push to the other nodes that
/// hold recipients. It also gives rooms' shared histories (``loadHistory(of:)``), so that
/// offsets and epochs are the same on every node, keeps parked sessions where every node
/// can claim them (``SharedSessions``), and shares presence counts (``SharedPresence``).
public protocol ClusterBus<Handle>: SharedSessions, SharedPresence {
    /// The server's per-connection handle.
    associatedtype Handle: Sendable

    /// This node's id, unique in the cluster: the server's connection ids start with it, so
    /// they are unique across nodes.
    var nodeId: String { get }

    /// Called once, by the server's initializer: what the bus delivers through.
    func attach(_ node: ClusterAttachment<Handle>)

    /// Publishes pushes made on this node, each encoded once, to every node with recipients.
    /// This node's recipients get them in the order given; delivery may happen after return.
    /// - Returns: the pushes that could not be encoded, with the reason.
    func publish(_ pushes: [Push]) -> [(Push, FrameError)]

    /// The shared history of `room`, this node being registered as holding the room from now
    /// on (so that it receives every later push to it); see ``HistorySource``.
    func loadHistory(of room: RoomName) -> SharedHistory?

    /// Closes every connection of `userId` on every node, with 1008 and `reason`.
    /// - Returns: the connections closed on this node.
    func disconnect(user userId: String, reason: String) -> [ConnectionID]
}

/// What a server hands its ``ClusterBus``: its publisher, its sessions, and how deliveries
/// reach its sockets.
public struct ClusterAttachment<Handle: Sendable>: Sendable {
    /// The node's publisher: its connections, rooms and (shared) histories.
    public let publisher: PushPublisher<Handle>
    /// The node's sessions.
    public let sessions: SessionRegistry
    /// Writes deliveries to this node's sockets; call it under the publisher's lock.
    public let deliver: @Sendable ([PushDelivery<Handle>]) -> Void
    /// Closes this node's connections of a user with 1008 and the reason; returns their ids.
    public let disconnectLocally: @Sendable (_ userId: String, _ reason: String) -> [ConnectionID]

    /// An attachment.
    public init(
        publisher: PushPublisher<Handle>,
        sessions: SessionRegistry,
        deliver: @escaping @Sendable ([PushDelivery<Handle>]) -> Void,
        disconnectLocally: @escaping @Sendable (_ userId: String, _ reason: String) -> [ConnectionID]
    ) {
        self.publisher = publisher
        self.sessions = sessions
        self.deliver = deliver
        self.disconnectLocally = disconnectLocally
    }
}
