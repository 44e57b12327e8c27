/// Where a room's history stands: its epoch and the offset of its latest reliable push (0
/// before the first). A client that holds a room's position resumes from it after a
/// reconnect (PROTOCOL.md §7).
public struct RoomPosition: Sendable, Hashable, Codable {
    /// Identifies the history; never 0 for a history the server keeps.
    public var epoch: UInt32
    /// The latest offset.
    public var offset: UInt64

    /// A position.
    public init(epoch: UInt32, offset: UInt64) {
        self.epoch = epoch
        self.offset = offset
    }
}
