/// The body of a presence push that a user's connection count on a stream changed
/// (`/presence/<stream>/joined`, `/updated` or `/left`).
///
/// Encodes as `{"connections":2,"stream":"board:7:presence","userId":"alice"}`; `connections`
/// is the count after the change: 1 on `joined`, 0 on `left`.
public struct PresenceChange: Sendable, Hashable, Codable {
    /// The stream, e.g. `board:7:presence`.
    public var stream: String
    /// The user whose count changed.
    public var userId: String
    /// How many of the user's connections are on the stream now.
    public var connections: Int

    /// A change.
    public init(stream: String, userId: String, connections: Int) {
        self.stream = stream
        self.userId = userId
        self.connections = connections
    }
}
