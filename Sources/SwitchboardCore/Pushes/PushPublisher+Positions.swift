extension PushPublisher {
    /// Puts a new connection in its client and user rooms (``RoomRegistry/connect(_:)``) and
    /// notes where those rooms' histories stand, in one step with respect to pushes: what a
    /// resume must not replay, since the connection receives it live from then on.
    public func connect(_ connection: any ConnectionContext) -> RoomMarks {
        inOrder {
            RoomMarks(rooms.connect(connection).map { RoomMarks.Mark(room: $0, mark: history.mark(of: $0)) })
        }
    }

    /// Joins `room` at the client's request (checked by the ``RoomAccessPolicy``) and reads the
    /// room's position in one step with respect to pushes: every push with a higher offset
    /// reaches the connection, none with a lower one does. `then` runs inside that step, so a
    /// frame it queues for the connection (SUBSCRIBE) comes before the room's next pushes.
    /// - Throws: ``RoomJoinRefusal`` (403, or 400 for an invalid name).
    @discardableResult
    public func subscribe(_ connection: any ConnectionContext, to room: RoomName, then: (RoomPosition) -> Void = { _ in }) throws(RoomJoinRefusal) -> RoomPosition {
        guard room.isValid else {
            throw RoomJoinRefusal(room: room, reason: RoomRegistry.invalidNameReason, status: .badRequest)
        }
        if case .denied(let reason) = rooms.access(to: room, for: connection) {
            throw RoomJoinRefusal(room: room, reason: reason)
        }
        return inOrder {
            rooms.join(room, connection.id)
            let position = history.position(of: room)
            then(position)
            return position
        }
    }
}
