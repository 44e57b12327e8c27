/// The connection a request or message came from, as handlers see it.
///
/// The server implements it for real sockets; `SwitchboardTesting` implements it in memory.
/// It is a reference because its identity can change while the connection lives (in-band
/// credential refresh). Rooms and pushes go through it, so handlers need nothing else:
/// `try req.connection.join("board-7")`, `res.push(message, to: .room("board-7"))`.
public protocol ConnectionContext: AnyObject, Sendable {
    /// The connection's id.
    var id: ConnectionID { get }
    /// The id of the app instance (e.g. a browser tab), the key of its `client-<id>` room. The
    /// server decides it at the handshake (see PROTOCOL.md, "Handshake"); `nil` in memory when
    /// none was given (the connection id then keys the client room).
    var clientId: String? { get }
    /// Who the connection belongs to, if authenticated.
    var identity: Identity? { get }
    /// The rooms of the server (node) the connection is on.
    var roomRegistry: RoomRegistry { get }

    /// Hands pushes to the server: each is encoded once, and each recipient connection gets
    /// everything one call holds for it in one WebSocket message (a batch, in created-time
    /// order). ``Response/push(_:to:)`` calls it once per request, when the reply leaves.
    func publish(_ pushes: [Push])
}

extension ConnectionContext {
    /// Joins `room` at the client's request, if the server's ``RoomAccessPolicy`` allows it.
    /// Thrown from a handler, the refusal answers 403 (400 for an invalid room name) with its
    /// reason. Server code that has decided on its own uses `roomRegistry.join(_:_:)`.
    public func join(_ room: RoomName) throws(RoomJoinRefusal) {
        try roomRegistry.join(room, requestedBy: self)
    }

    /// Leaves `room`; `false` when the connection was not in it.
    @discardableResult
    public func leave(_ room: RoomName) -> Bool {
        roomRegistry.leave(room, id)
    }

    /// The connection's client room (``RoomName/client(of:clientId:)``).
    public var clientRoom: RoomName { RoomName.client(of: id, clientId: clientId) }

    /// The rooms the connection is in, sorted.
    public var joinedRooms: [RoomName] { roomRegistry.rooms(of: id) }
}
