import SwitchboardCore

/// The server's built-in routes the client uses (PROTOCOL.md §11).
enum ReservedPaths {
    /// The prefix of every built-in route.
    static let prefix = "/_switchboard/"
    /// `POST` with the new token: in-band credential refresh.
    static let auth = prefix + "auth"
    /// `POST {"room": …}`: join a room.
    static let join = prefix + "rooms/join"
    /// `POST {"room": …}`: leave a room.
    static let leave = prefix + "rooms/leave"

    /// `{"room":"<room>"}`.
    static func roomBody(_ room: RoomName) -> [UInt8] {
        Array(JSONText.object(["room": room.rawValue]).utf8)
    }
}
