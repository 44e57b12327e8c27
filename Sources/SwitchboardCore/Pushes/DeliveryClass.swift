/// How a push is delivered and kept: what a reconnecting client can get back.
///
/// - ``reliable``: the push takes the room's next offset (1, 2, 3…), is kept in the room's
///   history (bounded by ``HistoryLimits``) and replayed to a client that resumes from an
///   earlier offset.
/// - ``latest(key:)``: a state that supersedes the previous one with the same key (a cursor, a
///   presence count): it carries offset 0 (it is not part of the offset sequence, so it never
///   makes a gap), only the newest per key waits in a connection's outbound queue, and the
///   room's history keeps only the newest per key, replayed on resume. An empty key means the
///   push's url.
/// - ``volatile``: offset 0, never kept, never replayed (typing indicators).
///
/// A push's class is ``PushMessage/delivery``, or, when that is `nil`, the room's default from
/// the server's ``DeliveryPolicy``. Pushes that go to no room (``PushTarget/everyone(excluding:)``)
/// are always volatile.
public enum DeliveryClass: Sendable, Hashable {
    /// Offset, history, replay.
    case reliable
    /// Newest per key only, kept and replayed; offset 0.
    case latest(key: String)
    /// Offset 0, not kept, not replayed.
    case volatile
}
