/// Which rooms a ``DeliveryPolicy`` rule applies to.
public enum RoomPattern: Sendable, Hashable {
    /// One room.
    case room(RoomName)
    /// Every room of a family (`board-…`).
    case family(RoomFamily)
    /// Every room whose name starts with the prefix.
    case prefix(String)

    /// Whether `room` matches.
    public func matches(_ room: RoomName) -> Bool {
        switch self {
        case .room(let name): name == room
        case .family(let family): family.contains(room)
        case .prefix(let prefix): room.rawValue.hasPrefix(prefix)
        }
    }
}
