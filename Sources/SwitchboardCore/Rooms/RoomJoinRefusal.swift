/// Why a client's request to join a room was refused; the server answers with ``status`` and
/// ``reason``.
public struct RoomJoinRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The room asked for.
    public let room: RoomName
    /// What a person needs to know, e.g. which rule refused it.
    public let reason: String
    /// 403 when the policy refused, 400 when the name cannot be a room.
    public let status: Status

    /// A refusal.
    public init(room: RoomName, reason: String, status: Status = .forbidden) {
        self.room = room
        self.reason = reason
        self.status = status
    }

    public var description: String { "cannot join room \(room): \(reason)" }
}
