/// Bytes to write, as one binary WebSocket message, to each of a list of recipients: the
/// outcome of one push (encoded once, whatever the number of recipients).
public struct PushDelivery<Handle: Sendable>: Sendable {
    /// One complete frame (a push, or a batch of pushes); identical for every recipient.
    public var bytes: [UInt8]
    /// The live connections to write to.
    public var recipients: [Recipient<Handle>]
    /// When the pushed message was created (milliseconds since 1970), for queue ordering.
    public var createdAt: Int64
    /// Set for a latest-class push: queued pushes with the same key replace each other.
    public var latestKey: String?
    /// Set for a push kept in a room's history: see ``QueuedPush/historyRoom``.
    public var historyRoom: String?
    /// For a reliable push that excluded a member of its room: that member's SUBSCRIBE #0,
    /// queued like a frame of ``historyRoom`` (in offset order with the room's pushes).
    public var positionNotice: PositionNotice<Handle>?

    /// A delivery.
    public init(
        bytes: [UInt8], recipients: [Recipient<Handle>], createdAt: Int64 = 0, latestKey: String? = nil, historyRoom: String? = nil,
        positionNotice: PositionNotice<Handle>? = nil
    ) {
        self.bytes = bytes
        self.recipients = recipients
        self.createdAt = createdAt
        self.latestKey = latestKey
        self.historyRoom = historyRoom
        self.positionNotice = positionNotice
    }

    /// The recipients' ids (the push's; not the connection of ``positionNotice``).
    public var recipientIDs: [ConnectionID] { recipients.map(\.id) }

    /// Whether nothing is to be written: no recipient and no position notice.
    public var isEmpty: Bool { recipients.isEmpty && positionNotice == nil }
}
