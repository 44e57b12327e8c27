/// One encoded push waiting in a queue for a connection, with what the queue's ordering rule
/// needs. `Payload` is the encoded bytes (in the server's per-connection queue, a frame
/// built once and shared by every recipient).
public struct QueuedPush<Payload> {
    /// The encoded frame.
    public var payload: Payload
    /// When the message was created, in milliseconds since 1970.
    public var createdAt: Int64
    /// The order it was queued in (ties in `createdAt` keep it).
    public var sequence: UInt64
    /// Set for a latest-class push: a later one with the same key replaces it.
    public var latestKey: String?
    /// Set for a frame of a room's history (a reliable or latest push, a SUBSCRIBE): the frames
    /// of one room keep the order they were queued in, which is their offset order.
    public var historyRoom: String?

    /// A queued push.
    public init(payload: Payload, createdAt: Int64, sequence: UInt64, latestKey: String?, historyRoom: String? = nil) {
        self.payload = payload
        self.createdAt = createdAt
        self.sequence = sequence
        self.latestKey = latestKey
        self.historyRoom = historyRoom
    }

    /// The queue's rule, in one place: of the latest-class pushes with one key only the last
    /// queued is kept; everything is sorted by created time, ties in queued order; then the
    /// frames of each room's history take that room's places in the order they were queued (so
    /// offsets never go backwards, whatever the created times say).
    public static func ordered(_ queued: [QueuedPush]) -> [QueuedPush] {
        guard queued.count > 1, !isOrdered(queued) else { return queued }
        var kept: [QueuedPush] = []
        kept.reserveCapacity(queued.count)
        var seenLatest: Set<String> = []
        for item in queued.sorted(by: { $0.sequence > $1.sequence }) {
            if let key = item.latestKey, !seenLatest.insert(key).inserted { continue }
            kept.append(item)
        }
        kept.sort { ($0.createdAt, $0.sequence) < ($1.createdAt, $1.sequence) }
        var places: [String: [Int]] = [:]
        for (index, item) in kept.enumerated() {
            if let room = item.historyRoom { places[room, default: []].append(index) }
        }
        for (_, indices) in places where indices.count > 1 {
            let inQueueOrder = indices.map { kept[$0] }.sorted { $0.sequence < $1.sequence }
            for (index, item) in zip(indices, inQueueOrder) { kept[index] = item }
        }
        return kept
    }

    /// Whether the rule leaves `queued` as it is: no latest-class push, and created times that
    /// never go back in queue order (the usual case, checked in one pass instead of sorting).
    private static func isOrdered(_ queued: [QueuedPush]) -> Bool {
        guard queued[0].latestKey == nil else { return false }
        for index in 1..<queued.count {
            guard queued[index].latestKey == nil, queued[index].sequence > queued[index - 1].sequence,
                queued[index].createdAt >= queued[index - 1].createdAt
            else { return false }
        }
        return true
    }
}

extension QueuedPush: Sendable where Payload: Sendable {}
