import Synchronization

/// The built-in presence feature: who is on a stream, with join and leave pushes.
///
/// On open, the connection joins the stream's room and receives the current list
/// (`/presence/<stream>`, ephemeral); if it is the user's first connection on the stream,
/// the other members get `/presence/<stream>/joined` with `{"stream":…,"userId":…}`. On
/// close, when it was the user's last connection there, the remaining members get
/// `/presence/<stream>/left`. A user with several tabs thus joins once and leaves once.
/// Unauthenticated connections receive presence but are not counted. ``list(_:)`` answers the
/// presence list route (`GET /presence/:stream`).
public final class Presence: Feature {
    /// `presence`.
    public let name = "presence"
    private let rosters = Mutex<[StreamName: PresenceRoster]>([:])

    /// A presence feature with nobody present.
    public init() {}

    /// The url of the list push for a stream, `/presence/<stream>`.
    public static func listURL(_ stream: StreamName) -> String { "/presence/" + stream.rawValue }
    /// The url of join pushes for a stream, `/presence/<stream>/joined`.
    public static func joinedURL(_ stream: StreamName) -> String { listURL(stream) + "/joined" }
    /// The url of leave pushes for a stream, `/presence/<stream>/left`.
    public static func leftURL(_ stream: StreamName) -> String { listURL(stream) + "/left" }

    /// Who is on a stream now.
    public func list(_ stream: StreamName) -> PresenceList {
        PresenceList(stream: stream.rawValue, users: rosters.withLock { $0[stream]?.users ?? [] })
    }

    /// Joins the stream's room, sends the list, and announces the user if newly present.
    public func open(_ session: FeatureSession) -> [FeatureAction] {
        let stream = session.stream
        let id = session.connection.id
        var actions: [FeatureAction] = [.join(stream.room, id)]
        var arrived = false
        if let userId = session.connection.identity?.userId {
            arrived = rosters.withLock { $0[stream, default: PresenceRoster()].add(user: userId, connection: id) }
            if arrived, let message = Self.event(Self.joinedURL(stream), stream, userId) {
                actions.append(.push(message, to: .room(stream.room, excluding: id)))
            }
        }
        if let list = try? PushMessage(url: Self.listURL(stream), json: list(stream), isEphemeral: true) {
            actions.append(.push(list, to: .connection(id)))
        }
        return actions
    }

    /// Leaves the room and announces the user's departure after their last connection.
    public func close(_ session: FeatureSession) -> [FeatureAction] {
        let stream = session.stream
        let id = session.connection.id
        var actions: [FeatureAction] = [.leave(stream.room, id)]
        guard let userId = session.connection.identity?.userId else { return actions }
        let departed = rosters.withLock { rosters in
            guard var roster = rosters[stream] else { return false }
            let last = roster.remove(user: userId, connection: id)
            rosters[stream] = roster.isEmpty ? nil : roster
            return last
        }
        if departed, let message = Self.event(Self.leftURL(stream), stream, userId) {
            actions.append(.push(message, to: .room(stream.room, excluding: id)))
        }
        return actions
    }

    private struct Change: Encodable {
        let stream: String
        let userId: String
    }

    // Encoding a struct of two strings cannot fail, hence `try?`.
    private static func event(_ url: String, _ stream: StreamName, _ userId: String) -> PushMessage? {
        try? PushMessage(url: url, json: Change(stream: stream.rawValue, userId: userId))
    }
}
