/// A connection's session as the HELLO frame announces it: the session id and the secret
/// token that resumes it from another connection (PROTOCOL.md §7).
public struct SessionGreeting: Sendable, Hashable {
    /// The session's id: 32 hex digits, stable across resumes.
    public var sessionId: String
    /// The resume token: 32 hex digits (128 random bits), bound to the session's user; a
    /// successful resume replaces it.
    public var resumeToken: String
}
