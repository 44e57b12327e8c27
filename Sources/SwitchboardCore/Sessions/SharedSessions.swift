/// Where parked sessions are kept for every node of a cluster, so a client whose connection
/// dropped can resume on another node (see ``SessionRegistry/init(grace:clock:shared:)``).
/// Called from the connection's thread; ``claim(token:)`` may block for one round trip.
public protocol SharedSessions: Sendable {
    /// Keeps a parked session under its resume token until `session.expiresAt`.
    func park(token: String, session: ParkedSession)
    /// Takes the parked session of `token` (no other node can claim it after), or `nil`.
    func claim(token: String) -> ParkedSession?
    /// Forgets the parked session of `token` (it was claimed on this node).
    func forget(token: String)
}
