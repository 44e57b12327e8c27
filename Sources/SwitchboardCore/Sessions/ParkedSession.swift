/// What a session keeps while no connection holds it: from an unexpected drop until a resume
/// claims it or its grace period ends.
public struct ParkedSession: Sendable, Hashable {
    /// The session's id.
    public var sessionId: String
    /// The user it belongs to; `nil` for an anonymous connection's session.
    public var userId: String?
    /// The rooms its connection was in.
    public var rooms: [RoomName]
    /// The highest offset acknowledged per room (``SessionRegistry/acknowledge(_:room:offset:)``).
    public var acks: [RoomName: UInt64]
    /// The connection's `isActive` flag.
    public var isActive: Bool
    /// When the grace period ends, in milliseconds since 1970.
    public var expiresAt: Int64

    /// A parked session.
    public init(sessionId: String, userId: String?, rooms: [RoomName], acks: [RoomName: UInt64], isActive: Bool, expiresAt: Int64) {
        self.sessionId = sessionId
        self.userId = userId
        self.rooms = rooms
        self.acks = acks
        self.isActive = isActive
        self.expiresAt = expiresAt
    }
}
