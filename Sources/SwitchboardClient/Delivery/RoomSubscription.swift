/// The room a request subscribed the connection to, from the SUBSCRIBE frame that preceded its
/// response (PROTOCOL.md §7): the response describes the resource at least up to `offset`,
/// and the room's pushes after it follow.
public struct RoomSubscription: Sendable, Hashable {
    /// The room whose pushes report changes of what the request read.
    public var room: String
    /// The room history's epoch.
    public var epoch: UInt32
    /// The room's latest offset when the connection joined.
    public var offset: UInt64

    /// A subscription.
    public init(room: String, epoch: UInt32, offset: UInt64) {
        self.room = room
        self.epoch = epoch
        self.offset = offset
    }
}
