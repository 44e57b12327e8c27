extension PushPublisher {
    /// Records a client's ACK of `room` up to `offset` in `epoch` for the connection's session,
    /// and releases the room's history up to the offset every holder (live member or parked
    /// session) has acknowledged. Ignored (returns `false`) unless the connection is a member
    /// and the epoch and offset are the room's (offset at most the latest).
    @discardableResult
    public func acknowledge(_ room: RoomName, epoch: UInt32, offset: UInt64, from id: ConnectionID, sessions: SessionRegistry) -> Bool {
        guard room.isValid, rooms.isMember(id, of: room) else { return false }
        let position = history.position(of: room)
        guard epoch == position.epoch, offset <= position.offset else { return false }
        sessions.acknowledge(id, room: room, offset: offset)
        if let all = sessions.acknowledgedByAll(room, members: rooms.members(of: room)) {
            history.release(room, through: all, epoch: epoch)
        }
        return true
    }
}
