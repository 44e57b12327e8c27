/// The data of the HELLO frame a server sends first on every connection:
/// `{"clientId":"…","connectionId":"…","resumeToken":"…","rooms":{"client-…":{"epoch":3,"offset":0}},"sessionGraceMs":120000,"sessionId":"…"}`.
public struct HelloNotice: Sendable, Hashable, Codable {
    /// The connection's id.
    public var connectionId: String
    /// The connection's effective client id (as in the `Switchboard-Client-Id` header).
    public var clientId: String
    /// The session's id.
    public var sessionId: String
    /// The token that resumes the session from a new connection.
    public var resumeToken: String
    /// How long the session waits for a resume after an unexpected drop, in milliseconds.
    public var sessionGraceMs: Int64
    /// The positions of the rooms the connection was put in at connect (its client room, and
    /// its user room when it has an identity): pushes to them with higher offsets reach it. A
    /// client keeps them like a SUBSCRIBE's, so it can resume those rooms too. Absent from
    /// servers that predate it: decode it as optional.
    public var rooms: [String: RoomPosition]?

    /// A notice.
    public init(
        connectionId: String, clientId: String, sessionId: String, resumeToken: String, sessionGraceMs: Int64,
        rooms: [String: RoomPosition]? = nil
    ) {
        self.connectionId = connectionId
        self.clientId = clientId
        self.sessionId = sessionId
        self.resumeToken = resumeToken
        self.sessionGraceMs = sessionGraceMs
        self.rooms = rooms
    }

    /// The notice as JSON, keys sorted (written directly: it is sent on every connection).
    public var json: [UInt8] {
        var text = "{\"clientId\":" + JSONText.string(clientId) + ",\"connectionId\":" + JSONText.string(connectionId)
        text += ",\"resumeToken\":" + JSONText.string(resumeToken)
        if let rooms {
            text += ",\"rooms\":{"
            for (index, room) in rooms.keys.sorted().enumerated() {
                guard let position = rooms[room] else { continue }
                if index > 0 { text += "," }
                text += JSONText.string(room) + ":{\"epoch\":\(position.epoch),\"offset\":\(position.offset)}"
            }
            text += "}"
        }
        text += ",\"sessionGraceMs\":\(sessionGraceMs),\"sessionId\":" + JSONText.string(sessionId) + "}"
        return Array(text.utf8)
    }
}

extension ResumeAnswer {
    /// The answer as JSON, keys sorted.
    public var json: [UInt8] { JSONShapes.encode(self) }
}
