/// The recipients of the large rooms pushed to lately, kept by ``PushPublisher`` while the
/// room's member list (its ``MembershipStamp``) and the connections (the
/// ``ConnectionRegistry/version``) stay as they were. Any change of the connections empties it,
/// so it never holds a closed connection's handle for longer than until the next push.
struct RecipientCache<Handle: Sendable>: Sendable {
    /// Rooms with fewer members are looked up member by member on every push.
    static var minimumMembers: Int { 64 }
    /// The most rooms kept; when full, it starts again empty.
    static var maximumRooms: Int { 1_024 }

    private var connections: UInt64 = 0
    private var rooms: [RoomName: (stamp: MembershipStamp, recipients: [Recipient<Handle>])] = [:]

    /// The recipients kept for `room` at `stamp`, when the connections are still at version
    /// `connections`.
    mutating func recipients(of room: RoomName, stamp: MembershipStamp, connections: UInt64) -> [Recipient<Handle>]? {
        guard connections == self.connections else {
            rooms.removeAll()
            self.connections = connections
            return nil
        }
        guard let kept = rooms[room], kept.stamp == stamp else { return nil }
        return kept.recipients
    }

    /// Keeps `recipients` for `room` at `stamp`, resolved at connections version `connections`.
    mutating func keep(_ recipients: [Recipient<Handle>], of room: RoomName, stamp: MembershipStamp, connections: UInt64) {
        if connections != self.connections {
            rooms.removeAll()
            self.connections = connections
        }
        if rooms.count >= Self.maximumRooms && rooms[room] == nil { rooms.removeAll() }
        rooms[room] = (stamp, recipients)
    }
}
