/// One encoded push waiting in a queue for a connection, with what the queue's ordering rule
/// needs. `Payload` is the bytes (`[UInt8]` in ``SocketQueue``, a shared `ByteBuffer` in the
/// server's per-connection queue).
public struct QueuedPush<Payload> {
    /// The encoded frame.
    public var payload: Payload
    /// When the message was created, in milliseconds since 1970.
    public var createdAt: Int64
    /// The order it was queued in (ties in `createdAt` keep it).
    public var sequence: UInt64
    /// Set for an ephemeral push: a later one with the same key replaces it.
    public var ephemeralKey: String?

    /// A queued push.
    public init(payload: Payload, createdAt: Int64, sequence: UInt64, ephemeralKey: String?) {
        self.payload = payload
        self.createdAt = createdAt
        self.sequence = sequence
        self.ephemeralKey = ephemeralKey
    }

    /// The queue's rule, in one place: of the ephemeral pushes with one key only the
    /// last queued is kept, and everything is sorted by created time, ties in queued order.
    public static func ordered(_ queued: [QueuedPush]) -> [QueuedPush] {
        guard queued.count > 1 else { return queued }
        var kept: [QueuedPush] = []
        kept.reserveCapacity(queued.count)
        var seenEphemeral: Set<String> = []
        for item in queued.sorted(by: { $0.sequence > $1.sequence }) {
            if let key = item.ephemeralKey, !seenEphemeral.insert(key).inserted { continue }
            kept.append(item)
        }
        kept.sort { ($0.createdAt, $0.sequence) < ($1.createdAt, $1.sequence) }
        return kept
    }
}

extension QueuedPush: Sendable where Payload: Sendable {}
