/// Who a push goes to.
public enum PushTarget: Sendable, Hashable {
    /// One connection, published to its client room.
    case connection(ConnectionID)
    /// Every connection of a user: their `user-<userId>` room.
    case user(String)
    /// Every member of a room, optionally leaving out the sender.
    case room(RoomName, excluding: ConnectionID? = nil)
    /// Every connection of this node, optionally leaving out the sender.
    case everyone(excluding: ConnectionID? = nil)
}
