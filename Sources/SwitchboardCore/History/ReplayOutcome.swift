/// What a room's history can give a client that resumes from a position.
public enum ReplayOutcome: Sendable, Hashable {
    /// Everything the client missed, in order: encoded push frames (the very bytes first sent;
    /// a SUBSCRIBE #0 where the pushes left the resuming session out), and the room's position
    /// after them.
    case recovered(frames: [[UInt8]], position: RoomPosition)
    /// The history cannot fill the gap; the client refetches. `position` is the room's now.
    case lost(reason: String, position: RoomPosition)
}
