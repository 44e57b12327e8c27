/// What a RESUME comes to (``Resumption/resume(_:connection:liveSince:replay:)``).
public enum ResumeOutcome: Sendable, Hashable {
    /// Answered 200 with `answer`. When the session was taken from a connection still open,
    /// `previous` must be closed; `isActive` is the resumed session's flag to restore.
    case answered(ResumeAnswer, previous: ConnectionID?, isActive: Bool?)
    /// Refused with `status` and `reason` (`{"error": reason}`); nothing changed.
    case refused(Status, String)
}
