/// A connection that can subscribe to a room with its position: the server's, which sends the
/// client a SUBSCRIBE frame (PROTOCOL.md §7).
public protocol SubscribingConnection: ConnectionContext {
    /// Joins `room` (checked by the access policy) and queues a SUBSCRIBE frame with the id of
    /// request `requestId` and the room's position, before the room's next pushes.
    func subscribe(to room: RoomName, requestId: UInt32) throws(RoomJoinRefusal) -> RoomPosition
}

extension Request {
    /// Subscribes the requesting connection to `room`, the room whose pushes report changes
    /// of what this request reads: the connection joins it (checked by the access policy) and
    /// the client gets a SUBSCRIBE frame with this request's id and the room's position just
    /// before the RESPONSE, so after a reconnect it can resume from exactly the state it read.
    ///
    /// Subscribe *before* reading the state: a change published in between may then show up
    /// both in the state and as a push (apply pushes idempotently), but none is lost.
    /// Connections without histories (in-memory test connections) just join and answer
    /// epoch 0, offset 0.
    /// - Throws: ``RoomJoinRefusal``: thrown from a handler it answers 403 (400 for an invalid
    ///   name).
    @discardableResult
    public func subscribe(to room: RoomName) throws(RoomJoinRefusal) -> RoomPosition {
        if let subscribing = connection as? any SubscribingConnection {
            return try subscribing.subscribe(to: room, requestId: id)
        }
        try connection.join(room)
        return RoomPosition(epoch: 0, offset: 0)
    }
}
