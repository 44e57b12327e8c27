/// A room's history as every node of a cluster shares it (kept outside the node, e.g. in a
/// Redis stream): what a node loads when it starts holding a room, so that its own copy
/// continues the shared one. See ``HistoryStore/init(policy:clock:epochs:source:)``.
public struct SharedHistory: Sendable, Hashable {
    /// One kept push.
    public struct Entry: Sendable, Hashable {
        /// The reliable offset, or 0 for a latest-class push.
        public var offset: UInt64
        /// The supersede key of a latest-class push; `nil` for a reliable one.
        public var key: String?
        /// The room's latest reliable offset when the push was appended.
        public var position: UInt64
        /// Order of appends (reliable and latest), 1 for the history's first.
        public var sequence: UInt64
        /// When it was appended, in milliseconds since 1970.
        public var appendedAt: Int64
        /// The encoded push frame, with the room's epoch and this offset written in.
        public var frame: [UInt8]
        /// The session of the connection the push left out, if any: a resume of that session
        /// does not replay it (PROTOCOL.md §7).
        public var excludedSession: String?

        /// An entry.
        public init(
            offset: UInt64, key: String?, position: UInt64, sequence: UInt64, appendedAt: Int64, frame: [UInt8], excludedSession: String? = nil
        ) {
            self.excludedSession = excludedSession
            self.offset = offset
            self.key = key
            self.position = position
            self.sequence = sequence
            self.appendedAt = appendedAt
            self.frame = frame
        }
    }

    /// The history's epoch (never 0).
    public var epoch: UInt32
    /// The latest reliable offset given.
    public var offset: UInt64
    /// The number of appends (reliable and latest) so far.
    public var sequence: UInt64
    /// The pushes still kept, oldest first.
    public var entries: [Entry]
    /// Whether `entries` go back to the history's start. When not, a client whose position is
    /// older than the first entry's cannot be recovered.
    public var isComplete: Bool

    /// A shared history.
    public init(epoch: UInt32, offset: UInt64, sequence: UInt64, entries: [Entry], isComplete: Bool) {
        self.epoch = epoch
        self.offset = offset
        self.sequence = sequence
        self.entries = entries
        self.isComplete = isComplete
    }
}

/// Where a ``HistoryStore`` finds the shared history of a room it does not hold yet; `nil`
/// when it cannot be reached (the store then starts a history of its own, with a new epoch).
/// Called holding the store's lock (so no shared append for the room can come between the read
/// and the copy being kept) and may block for one round trip.
public typealias HistorySource = @Sendable (RoomName) -> SharedHistory?

/// What became of a push appended to a copy of a shared history
/// (``HistoryStore/appendShared(_:epoch:to:acceptingGap:)``).
public enum SharedAppend: Sendable, Hashable {
    /// Kept: deliver it.
    case appended
    /// Already kept (its sequence is not newer than the history's): do not deliver it again.
    case duplicate
    /// This node holds no history for the room: deliver it, keep nothing.
    case untracked
    /// Its reliable offset is past the copy's next one (the copy's latest is `after`): this
    /// node missed pushes, e.g. while its registration for the room had lapsed. Nothing kept:
    /// append the missing pushes first, then this one.
    case gap(after: UInt64)
}
