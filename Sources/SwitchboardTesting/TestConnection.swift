import SwitchboardCore
import Synchronization

/// An in-memory connection for tests: requests made through a ``TestClient`` come from it.
///
/// Set ``identity`` to act as a connection authenticated at the handshake. Rooms joined by
/// handlers land in ``roomRegistry``; pushes made by handlers (`res.push`) are recorded in
/// ``published`` instead of being sent.
public final class TestConnection: ConnectionContext {
    /// The connection's id.
    public let id: ConnectionID
    /// The client-chosen app instance id.
    public let clientId: String?
    /// The rooms handlers join and leave (with the server's default policy unless given).
    public let roomRegistry: RoomRegistry
    private let state: Mutex<(identity: Identity?, published: [Push])>

    /// A connection with the given id, client id, handshake identity and rooms.
    public init(id: ConnectionID = ConnectionID("test-1"), clientId: String? = nil, identity: Identity? = nil, rooms: RoomRegistry = RoomRegistry()) {
        self.id = id
        self.clientId = clientId
        self.roomRegistry = rooms
        self.state = Mutex((identity, []))
    }

    /// Who the connection belongs to; settable at any time.
    public var identity: Identity? {
        get { state.withLock { $0.identity } }
        set { state.withLock { $0.identity = newValue } }
    }

    /// Every push published through this connection so far, in order.
    public var published: [Push] { state.withLock { $0.published } }

    /// Records the pushes.
    public func publish(_ pushes: [Push]) {
        state.withLock { $0.published += pushes }
    }
}
