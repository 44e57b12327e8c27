/// The data of the RESPONSE to a RESUME: the session the connection now has, whether the
/// token's session was taken over, and each room's recovery.
public struct ResumeAnswer: Sendable, Hashable, Encodable {
    /// The connection's session now: the resumed one, or its own from HELLO.
    public var sessionId: String
    /// The token that resumes it next time (the one presented is spent).
    public var resumeToken: String
    /// Whether the token's session was taken over.
    public var resumed: Bool
    /// Why not, when `resumed` is false and a token was given.
    public var reason: String?
    /// Per room.
    public var rooms: [String: RoomRecovery]

    private enum CodingKeys: String, CodingKey { case sessionId, resumeToken, resumed, reason, rooms }

    /// Encodes the members that are set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sessionId, forKey: .sessionId)
        try container.encode(resumeToken, forKey: .resumeToken)
        try container.encode(resumed, forKey: .resumed)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(rooms, forKey: .rooms)
    }
}
