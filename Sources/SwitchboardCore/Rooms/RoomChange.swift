/// A change of one node's rooms or connections, reported to the ``RoomRegistry``'s observer
/// (``RoomRegistry/observe(_:)``): what a cluster bus registers where other nodes see it.
public enum RoomChange: Sendable, Hashable {
    /// A connection opened; pushes to it are kept in `clientRoom`'s history.
    case connected(ConnectionID, clientRoom: RoomName)
    /// A connection closed.
    case disconnected(ConnectionID)
    /// A room was created here (its first member joined, or a room sharing another's members).
    case occupied(RoomName)
    /// A room was deleted here (its last member left, or the room whose members it shared).
    case vacated(RoomName)
}
