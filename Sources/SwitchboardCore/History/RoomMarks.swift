/// Where a connection's own rooms (its client room, and its user room when it has an identity)
/// stood when it connected (``PushPublisher/connect(_:)``): the HELLO reports their positions,
/// and a RESUME does not replay what reached the connection live since. Kept by every open
/// connection, so its one or two marks are stored inline (no dictionary, no array).
public struct RoomMarks: Sendable, Hashable {
    // A connection has one or two own rooms: they are kept inline, with no array to allocate.
    private var first: Mark?
    private var second: Mark?
    private var more: [Mark] = []

    /// The rooms and their marks, in the order they were joined.
    public var marks: [Mark] {
        [first, second].compactMap { $0 } + more
    }

    /// One room's mark.
    public struct Mark: Sendable, Hashable {
        /// The room.
        public var room: RoomName
        /// Where its history stood.
        public var mark: HistoryMark
    }

    /// Marks of no room.
    public init() {}

    /// `marks`, in order.
    public init(_ marks: [Mark]) {
        for mark in marks {
            if first == nil {
                first = mark
            } else if second == nil {
                second = mark
            } else {
                more.append(mark)
            }
        }
    }

    /// The mark of `room`, if it is one of these rooms.
    public subscript(room: RoomName) -> HistoryMark? {
        if let first, first.room == room { return first.mark }
        if let second, second.room == room { return second.mark }
        return more.first { $0.room == room }?.mark
    }

    /// The rooms' positions, by room name (as the HELLO reports them).
    public var positions: [String: RoomPosition] {
        Dictionary(marks.map { ($0.room.rawValue, $0.mark.position) }) { first, _ in first }
    }
}
