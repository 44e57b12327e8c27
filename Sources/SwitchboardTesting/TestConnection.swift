import SwitchboardCore

/// An in-memory connection for tests: requests made through a ``TestClient`` come from it.
///
/// Set ``identity`` to act as a connection authenticated at the handshake.
public final class TestConnection: ConnectionContext {
    /// The connection's id.
    public let id: ConnectionID
    /// The client-chosen app instance id.
    public let clientId: String?
    private let state: LockedBox<Identity?>

    /// A connection with the given id, client id and handshake identity.
    public init(id: ConnectionID = ConnectionID("test-1"), clientId: String? = nil, identity: Identity? = nil) {
        self.id = id
        self.clientId = clientId
        self.state = LockedBox.make(identity)
    }

    /// Who the connection belongs to; settable at any time.
    public var identity: Identity? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
