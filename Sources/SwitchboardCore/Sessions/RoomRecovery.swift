/// One room's line in a RESUME answer: `{"recovered":true,"epoch":3,"offset":15}` or
/// `{"recovered":false,"reason":"…","epoch":…,"offset":…}` (no epoch and offset when the room
/// was refused).
public struct RoomRecovery: Sendable, Hashable, Encodable {
    /// Whether every push the client missed was replayed (before the answer).
    public var recovered: Bool
    /// Why not.
    public var reason: String?
    /// The room's epoch now; `nil` for a refused room.
    public var epoch: UInt32?
    /// The room's latest offset now; `nil` for a refused room.
    public var offset: UInt64?

    private enum CodingKeys: String, CodingKey { case recovered, reason, epoch, offset }

    /// Encodes the members that are set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(recovered, forKey: .recovered)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(epoch, forKey: .epoch)
        try container.encodeIfPresent(offset, forKey: .offset)
    }
}
