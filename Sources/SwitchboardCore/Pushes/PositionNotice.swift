/// What the one connection a reliable push left out (`excluding:`, typically its sender) gets
/// instead of the push: a SUBSCRIBE frame with id 0 carrying the room's position after the
/// push, so its next offset follows with no gap (PROTOCOL.md §4).
public struct PositionNotice<Handle: Sendable>: Sendable {
    /// The encoded SUBSCRIBE frame.
    public var bytes: [UInt8]
    /// The excluded connection.
    public var recipient: Recipient<Handle>

    /// A notice.
    public init(bytes: [UInt8], recipient: Recipient<Handle>) {
        self.bytes = bytes
        self.recipient = recipient
    }
}
