/// The server's built-in routes, under `/_switchboard/`: answered by the server before the
/// application's responder ever sees the request, so they work with any router.
///
/// | route | body | answer |
/// |---|---|---|
/// | `POST /_switchboard/auth` | the new token, or `{"token": "…"}` | 200 `{"userId","expiresAt"}`; 401, 403 (see ``CredentialRefresh``) |
/// | `POST /_switchboard/rooms/join` | `{"room": "board-7"}` | a SUBSCRIBE with the room's position, then 200 the room's state with `epoch` and `offset`; 403 refused by the `RoomAccessPolicy`; 400 invalid name |
/// | `POST /_switchboard/rooms/leave` | `{"room": "board-7"}` | 200 `{"left": true/false}` |
/// | `GET /_switchboard/rooms/:room` | | 200 `RoomState` (`{"room","lastBroadcastTimestamp","memberCount"}`), or `null` for an unknown room; 403 when the `RoomAccessPolicy` would refuse the connection that room; 400 invalid name |
/// | `PATCH /_switchboard/client` | `{"isActive": false}` | 200 `{"connectionId","isActive"}` |
/// | `GET /_switchboard/presence/:stream` | | 200 `PresenceList`; 404 without the presence feature; 403 when the policy refuses the stream's room |
///
/// Path parameters are percent-decoded. Errors are `{"error": "…"}`; an unknown path under the
/// prefix is 404, a known path with another method 405.
///
/// The routes that reveal or grant a room (join, room state, presence) apply the room access
/// policy; for an auth-gated room (`RoomAccessPolicy.requiringAuthentication(for:)`) they
/// also need a live identity and answer 401 once it has expired, until the client refreshes it
/// with `POST /_switchboard/auth`. Leaving a room, the client state and the refresh itself work
/// whatever the identity.
public enum ReservedRoutes {
    /// The prefix of every built-in route.
    public static let prefix = "/_switchboard/"
    /// `POST`: join a room at the client's request.
    public static let join = prefix + "rooms/join"
    /// `POST`: leave a room.
    public static let leave = prefix + "rooms/leave"
    /// `PATCH`: update this connection's `isActive`.
    public static let client = prefix + "client"

    /// `GET`: a room's state.
    public static func roomState(_ room: RoomName) -> String { prefix + "rooms/" + PercentEncoding.encode(room.rawValue) }
    /// `GET`: who is present on a stream.
    public static func presence(_ stream: StreamName) -> String { prefix + "presence/" + stream.rawValue }

    /// Whether a request url is for the built-in routes.
    static func matches(_ url: String) -> Bool { url.hasPrefix(prefix) }

    /// An error reply, `{"error": message}`.
    static func errorReply(_ status: Status, _ message: String) -> Reply {
        Reply(status: status, body: ArraySlice(JSONText.object(["error": message]).utf8))
    }

    private struct RoomBody: Decodable {
        var room: RoomName
    }

    private struct ClientBody: Decodable {
        var isActive: Bool
    }

    private struct ClientState: Encodable {
        var connectionId: String
        var isActive: Bool
    }

    /// The join answer: the room's state and its position when the connection joined (the
    /// position of the SUBSCRIBE that precedes the answer).
    private struct JoinAnswer: Encodable {
        var state: RoomState
        var position: RoomPosition

        private enum CodingKeys: String, CodingKey {
            case room, lastBroadcastTimestamp, memberCount, epoch, offset
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(state.room, forKey: .room)
            try container.encode(state.lastBroadcastTimestamp, forKey: .lastBroadcastTimestamp)
            try container.encode(state.memberCount, forKey: .memberCount)
            try container.encode(position.epoch, forKey: .epoch)
            try container.encode(position.offset, forKey: .offset)
        }
    }

    private struct LeaveResult: Encodable {
        var left: Bool
    }

    /// The router answering the built-in routes.
    static func router(authentication: TokenAuthentication?, registry: ConnectionRegistry<Connection>, rooms: RoomRegistry, features: FeatureSet) -> Router {
        var router = Router()
        router.post(CredentialRefresh.path) { req, res async in
            let reply = await CredentialRefresh.refresh(req, authentication: authentication)
            res.status(reply.status).send(reply.body)
        }
        router.post(join) { req, res in
            let room = try req.decode(RoomBody.self).room
            try requireLiveIdentity(for: room, req, rooms: rooms)
            let position = try req.subscribe(to: room)
            let state = rooms.state(of: room) ?? RoomState(room: room, lastBroadcastTimestamp: nil, memberCount: 0)
            try res.json(JoinAnswer(state: state, position: position))
        }
        router.post(leave) { req, res in
            let room = try req.decode(RoomBody.self).room
            try res.json(LeaveResult(left: req.connection.leave(room)))
        }
        router.get(prefix + "rooms/:room") { req, res in
            let room = RoomName(try req.params.require("room"))
            guard room.isValid else { throw HTTPError(.badRequest, RoomRegistry.invalidNameReason) }
            try requireAccess(to: room, req, rooms: rooms)
            guard let state = rooms.state(of: room) else { return res.send("null") }
            try res.json(state)
        }
        router.patch(client) { req, res in
            let isActive = try req.decode(ClientBody.self).isActive
            guard registry.update(req.connection.id, isActive: isActive) else { throw HTTPError(.gone, "the connection is closed") }
            try res.json(ClientState(connectionId: req.connection.id.rawValue, isActive: isActive))
        }
        router.get(prefix + "presence/:stream") { req, res async throws in
            guard let presence = features.feature(named: "presence") as? Presence else {
                throw HTTPError(.notFound, "this server does not offer the presence feature")
            }
            let text = try req.params.require("stream")
            let stream: StreamName
            do {
                stream = try StreamName(text)
            } catch {
                throw HTTPError(.badRequest, "invalid stream '\(text)': \(error)")
            }
            try requireAccess(to: stream.room, req, rooms: rooms)
            try res.json(await presence.currentList(stream))
        }
        return router
    }

    /// Throws 403 when the policy refuses `room` to the request's connection, and 401 when the
    /// room is auth-gated and the connection's identity is missing or expired.
    private static func requireAccess(to room: RoomName, _ req: Request, rooms: RoomRegistry) throws {
        try requireLiveIdentity(for: room, req, rooms: rooms)
        if case .denied(let reason) = rooms.access(to: room, for: req.connection) {
            throw HTTPError(.forbidden, reason)
        }
    }

    /// Throws 401 when `room` is auth-gated and the connection has no live identity.
    private static func requireLiveIdentity(for room: RoomName, _ req: Request, rooms: RoomRegistry) throws {
        guard rooms.requiresAuthentication(room) else { return }
        guard let identity = req.connection.identity else {
            throw HTTPError(.unauthorized, "room \(room) needs an authenticated connection")
        }
        if identity.isExpired() {
            throw HTTPError(.unauthorized, "credentials expired: refresh them with POST \(CredentialRefresh.path)")
        }
    }
}
