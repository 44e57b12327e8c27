import Foundation

/// One live connection as the ``ConnectionRegistry`` knows it: ids, user and activity.
public struct ConnectionEntry<Handle: Sendable>: Sendable {
    /// The connection's id.
    public let id: ConnectionID
    /// The client-chosen id of the app instance (e.g. a browser tab), if it sent one.
    public var clientId: String?
    /// The authenticated user's id, if any.
    public var userId: String?
    /// Whether the user is currently using the app; `true` on connect.
    public var isActive: Bool
    /// When the connection's identity expires (`nil`: never, or anonymous); pushes to
    /// auth-gated rooms skip the connection from then until it refreshes.
    public var expiresAt: Date?
    /// What the transport needs to write to this connection (e.g. a channel and its event
    /// loop); the core never looks inside it.
    public var handle: Handle

    /// An entry.
    public init(id: ConnectionID, clientId: String? = nil, userId: String? = nil, isActive: Bool = true, expiresAt: Date? = nil, handle: Handle) {
        self.id = id
        self.clientId = clientId
        self.userId = userId
        self.isActive = isActive
        self.expiresAt = expiresAt
        self.handle = handle
    }

    /// Whether pushes to auth-gated rooms reach the connection at `now`: it has a user and
    /// its identity has not expired.
    public func isAuthenticated(at now: Date) -> Bool {
        guard userId != nil else { return false }
        guard let expiresAt else { return true }
        return now < expiresAt
    }

    /// The entry's client room: `client-<clientId>`, or `client-<connection id>` when the
    /// connection sent no client id.
    public var clientRoom: RoomName { RoomName.client(of: id, clientId: clientId) }
}

/// A connection to deliver to: its id and the transport's handle for it.
public struct Recipient<Handle: Sendable>: Sendable {
    /// The connection's id.
    public let id: ConnectionID
    /// The transport's handle for the connection.
    public let handle: Handle

    /// A recipient.
    public init(id: ConnectionID, handle: Handle) {
        self.id = id
        self.handle = handle
    }
}
