/// Where a connection's own rooms (its client room, and its user room when it has an identity)
/// stood when it connected (``PushPublisher/connect(_:)``): the HELLO reports their positions,
/// and a RESUME does not replay what reached the connection live since. Kept by every open
/// connection, so it is a short list rather than a dictionary.
public struct RoomMarks: Sendable, Hashable {
    /// The rooms and their marks, in the order they were joined.
    public private(set) var marks: [Mark]

    /// One room's mark.
    public struct Mark: Sendable, Hashable {
        /// The room.
        public var room: RoomName
        /// Where its history stood.
        public var mark: HistoryMark
    }

    /// Marks of no room.
    public init() { marks = [] }

    /// `marks`, in order.
    public init(_ marks: [Mark]) { self.marks = marks }

    /// The mark of `room`, if it is one of these rooms.
    public subscript(room: RoomName) -> HistoryMark? {
        marks.first { $0.room == room }?.mark
    }

    /// The rooms' positions, by room name (as the HELLO reports them).
    public var positions: [String: RoomPosition] {
        Dictionary(marks.map { ($0.room.rawValue, $0.mark.position) }) { first, _ in first }
    }
}
