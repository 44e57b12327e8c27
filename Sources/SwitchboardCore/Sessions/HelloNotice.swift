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
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out += #"{"clientId":"#.utf8
        JSONText.append(clientId, to: &out)
        out += #","connectionId":"#.utf8
        JSONText.append(connectionId, to: &out)
        out += #","resumeToken":"#.utf8
        JSONText.append(resumeToken, to: &out)
        if let rooms {
            out += #","rooms":{"#.utf8
            for (index, room) in rooms.keys.sorted().enumerated() {
                guard let position = rooms[room] else { continue }
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.append(room, to: &out)
                out += #":{"epoch":"#.utf8
                out += String(position.epoch).utf8
                out += #","offset":"#.utf8
                out += String(position.offset).utf8
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "}"))
        }
        out += #","sessionGraceMs":"#.utf8
        out += String(sessionGraceMs).utf8
        out += #","sessionId":"#.utf8
        JSONText.append(sessionId, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}

extension ResumeAnswer {
    /// The answer as JSON, keys sorted.
    public var json: [UInt8] { JSONShapes.encode(self) }
}
