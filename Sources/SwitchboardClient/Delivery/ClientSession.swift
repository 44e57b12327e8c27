/// The server session of the client's connection, from its HELLO frame (PROTOCOL.md §7),
/// updated by each RESUME answer.
public struct ClientSession: Sendable, Hashable {
    /// The session's id; the same after a resume that took the session over.
    public var sessionId: String
    /// The secret that resumes the session from the next connection (a new one after each
    /// resume). Keep it like a credential.
    public var resumeToken: String
    /// The connection's effective client id (its `client-<clientId>` room).
    public var clientId: String
    /// The connection's id.
    public var connectionId: String
    /// How long the server keeps the session after an unexpected drop.
    public var sessionGrace: Duration

    /// A session.
    public init(sessionId: String, resumeToken: String, clientId: String, connectionId: String, sessionGrace: Duration) {
        self.sessionId = sessionId
        self.resumeToken = resumeToken
        self.clientId = clientId
        self.connectionId = connectionId
        self.sessionGrace = sessionGrace
    }

    init(_ hello: HelloNotice) {
        self.init(
            sessionId: hello.sessionId, resumeToken: hello.resumeToken, clientId: hello.clientId,
            connectionId: hello.connectionId, sessionGrace: .milliseconds(hello.sessionGraceMs)
        )
    }
}
