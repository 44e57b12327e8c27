extension PushPublisher {
    /// Records a client's ACK of `room` up to `offset` in `epoch` for the connection's session,
    /// and releases the room's history up to the offset every holder (live member or parked
    /// session) has acknowledged. Ignored (returns `false`) unless the connection is a member
    /// and the epoch and offset are the room's (offset at most the latest).
    ///
    /// Working out what every holder acknowledged asks each of them, so in a room of more than
    /// ``exactReleaseMembers`` members it is done at most once per ``releaseCheckInterval``
    /// (at an ACK): otherwise every member's ACK would ask every member, a cost that grows with
    /// the square of the room. A release may then come up to that much later; nothing else
    /// changes (releasing is an optimisation: the room's limits bound its history anyway).
    @discardableResult
    public func acknowledge(_ room: RoomName, epoch: UInt32, offset: UInt64, from id: ConnectionID, sessions: SessionRegistry) -> Bool {
        guard room.isValid, rooms.isMember(id, of: room) else { return false }
        let position = history.position(of: room)
        guard epoch == position.epoch, offset <= position.offset else { return false }
        sessions.acknowledge(id, room: room, offset: offset)
        let members = rooms.members(of: room)
        guard members.count <= Self.exactReleaseMembers || history.releaseCheckDue(room, every: Self.releaseCheckInterval) else { return true }
        if let all = sessions.acknowledgedByAll(room, members: members) {
            history.release(room, through: all, epoch: epoch)
        }
        return true
    }

    /// Rooms of at most this many members work out their release at every ACK.
    public static var exactReleaseMembers: Int { 64 }
    /// How often, at most, a larger room works out its release, in milliseconds.
    public static var releaseCheckInterval: Int64 { 1_000 }
}
