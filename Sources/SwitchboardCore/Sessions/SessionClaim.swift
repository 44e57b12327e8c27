/// The outcome of presenting a resume token (``SessionRegistry/claim(token:userId:for:)``).
public enum SessionClaim: Sendable, Hashable {
    /// The token's session was parked: it now belongs to the claiming connection.
    case parked(ParkedSession, SessionGreeting)
    /// The token's session is still held by a live connection (whose drop the server has not
    /// seen yet): it now belongs to the claiming connection, and `previous` must be closed.
    case live(previous: ConnectionID, ParkedSession, SessionGreeting)
    /// No live or parked session has this token (never issued, ended by a deliberate close,
    /// grace period over, already resumed, or the server restarted).
    case unknown
    /// The token belongs to another user's session; nothing changes.
    case otherUser
}
