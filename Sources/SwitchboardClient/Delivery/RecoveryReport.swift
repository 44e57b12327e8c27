/// What the client learned about missed pushes: after each reconnect, the RESUME answer for
/// every room it resumed; between reconnects, a room whose pushes showed a gap. Refetch what
/// you show from each room in ``notRecovered`` (e.g. with a GET that subscribes).
public struct RecoveryReport: Sendable, Hashable {
    /// Why the report was made.
    public enum Cause: Sendable, Hashable {
        /// The answer to the RESUME sent first on a new connection.
        case resume
        /// A live push whose offset did not follow the room's last one (or another epoch).
        case gap
    }

    /// Why the report was made.
    public var cause: Cause
    /// Whether the server took the previous session over (`false` for a gap report, and when
    /// the token was unknown, expired or refused; ``reason`` says why).
    public var sessionResumed: Bool
    /// Why the session was not resumed, e.g. `unknown or expired resume token`,
    /// `resume token belongs to another user`; `nil` when it was, and for a gap report.
    public var reason: String?
    /// Each room concerned, by name order.
    public var rooms: [RoomRecoveryStatus]

    /// A report.
    public init(cause: Cause, sessionResumed: Bool, reason: String?, rooms: [RoomRecoveryStatus]) {
        self.cause = cause
        self.sessionResumed = sessionResumed
        self.reason = reason
        self.rooms = rooms
    }

    /// The rooms whose missed pushes were not all delivered: refetch them.
    public var notRecovered: [RoomRecoveryStatus] { rooms.filter { !$0.recovered } }
}

/// One room's line in a ``RecoveryReport``.
public struct RoomRecoveryStatus: Sendable, Hashable {
    /// The room.
    public var room: String
    /// Whether every push the client missed was delivered (before the report).
    public var recovered: Bool
    /// Why not: the server's reason (`history no longer covers offset 12`, `epoch changed`,
    /// `no position given`, `refused: …`) or the client's for a gap
    /// (`expected offset 13, got 20`, `epoch changed`).
    public var reason: String?
    /// The position the client continues from: the room's epoch and offset now; `nil` when the
    /// room was refused (the client is not in it).
    public var position: RoomPosition?

    /// A room's line.
    public init(room: String, recovered: Bool, reason: String?, position: RoomPosition?) {
        self.room = room
        self.recovered = recovered
        self.reason = reason
        self.position = position
    }
}
