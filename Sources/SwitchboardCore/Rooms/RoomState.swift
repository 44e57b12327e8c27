/// What the room-state route returns for an existing room: its name, last broadcast
/// time and member count.
///
/// Encodes as `{"room":"board-7","lastBroadcastTimestamp":1712345678901,"memberCount":3}`;
/// `lastBroadcastTimestamp` is `null` until the first broadcast.
public struct RoomState: Sendable, Hashable, Codable {
    /// The room.
    public var room: RoomName
    /// When something was last broadcast to the room, in milliseconds since 1970; clients
    /// compare it with a resource's `updatedAt` to decide whether to refetch.
    public var lastBroadcastTimestamp: Int64?
    /// How many connections of this node are in the room.
    public var memberCount: Int

    private enum CodingKeys: String, CodingKey {
        case room, lastBroadcastTimestamp, memberCount
    }

    /// Encodes every key, `lastBroadcastTimestamp` as `null` before the first broadcast.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(room, forKey: .room)
        try container.encode(lastBroadcastTimestamp, forKey: .lastBroadcastTimestamp)
        try container.encode(memberCount, forKey: .memberCount)
    }

    /// A room state.
    public init(room: RoomName, lastBroadcastTimestamp: Int64?, memberCount: Int) {
        self.room = room
        self.lastBroadcastTimestamp = lastBroadcastTimestamp
        self.memberCount = memberCount
    }
}
