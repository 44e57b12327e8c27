/// Decides whether a connection may join a room when a client asks (e.g. `POST /rooms/join`).
///
/// The default, ``ownRoomsOnly``, admits a connection only to its own `user-<userId>` and
/// `client-<clientId>` rooms; apps allow more with ``allowing(_:)``. Another connection's
/// `client-…` or user's `user-…` room is refused whatever the policy says
/// (``RoomRegistry/access(to:for:)``). Joins made by server code
/// (``RoomRegistry/join(_:_:sharingMembersOf:)``) are trusted and skip the policy.
///
/// A policy also says which rooms are auth-gated (``requiringAuthentication(for:)``): pushes
/// to them skip members whose identity has expired (or who have none) until they refresh it
/// (`POST /_switchboard/auth`); they stay members meanwhile.
public struct RoomAccessPolicy: Sendable {
    /// The decision for one connection and room.
    public let decide: @Sendable (_ connection: any ConnectionContext, _ room: RoomName) -> RoomAccess
    /// Whether pushes to a room reach only members with an unexpired identity.
    public let requiresAuthentication: @Sendable (_ room: RoomName) -> Bool

    /// A policy deciding with `decide`; no room is auth-gated.
    public init(_ decide: @escaping @Sendable (_ connection: any ConnectionContext, _ room: RoomName) -> RoomAccess) {
        self.init(decide, requiresAuthentication: { _ in false })
    }

    private init(
        _ decide: @escaping @Sendable (_ connection: any ConnectionContext, _ room: RoomName) -> RoomAccess,
        requiresAuthentication: @escaping @Sendable (_ room: RoomName) -> Bool
    ) {
        self.decide = decide
        self.requiresAuthentication = requiresAuthentication
    }

    /// This policy, with the rooms for which `gated` is true auth-gated: their pushes skip
    /// members whose identity is missing or expired.
    public func requiringAuthentication(for gated: @escaping @Sendable (_ room: RoomName) -> Bool) -> RoomAccessPolicy {
        RoomAccessPolicy(decide, requiresAuthentication: gated)
    }

    /// Only the connection's own user and client rooms.
    public static let ownRoomsOnly = RoomAccessPolicy { connection, room in
        if isOwnRoom(room, of: connection) { return .allowed }
        return .denied("connection \(connection.id) may not join room \(room): only its own user and client rooms are open to it")
    }

    /// The connection's own rooms, plus whatever `decide` allows (e.g. boards of the user's
    /// organization).
    public static func allowing(_ decide: @escaping @Sendable (_ connection: any ConnectionContext, _ room: RoomName) -> RoomAccess) -> RoomAccessPolicy {
        RoomAccessPolicy { connection, room in
            if isOwnRoom(room, of: connection) { return .allowed }
            return decide(connection, room)
        }
    }

    /// Every room but other connections' `client-…` and `user-…` rooms; for tests and trusted
    /// clients.
    public static let everyRoom = RoomAccessPolicy { _, _ in .allowed }

    /// Whether `room` is the connection's client room or its user's room.
    public static func isOwnRoom(_ room: RoomName, of connection: any ConnectionContext) -> Bool {
        if room == .client(connection.clientId ?? connection.id.rawValue) { return true }
        if let userId = connection.identity?.userId, room == .user(userId) { return true }
        return false
    }
}

/// A ``RoomAccessPolicy`` decision.
public enum RoomAccess: Sendable, Hashable {
    /// The connection may join.
    case allowed
    /// The connection may not join; the reason goes back to the client with status 403.
    case denied(String)
}
