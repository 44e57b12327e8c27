import Synchronization

/// The built-in presence feature: who is on a stream and with how many connections, kept up
/// to date by pushes.
///
/// On open, the connection joins the stream's room and receives the current list
/// (`/presence/<stream>`, a latest-class push). Every time a user's connection count on the stream
/// changes, the other members get one ``PresenceChange`` `{"connections":N,"stream":…,"userId":…}`
/// with the new count: at `/presence/<stream>/joined` for the user's first connection (N = 1),
/// `/left` after their last (N = 0), `/updated` for any other open or close (e.g. a second
/// tab). The user's other connections get these too, so every tab shows the same counts.
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
    /// The url of count pushes for a stream, `/presence/<stream>/updated`: a present user
    /// opened or closed another connection.
    public static func updatedURL(_ stream: StreamName) -> String { listURL(stream) + "/updated" }

    /// Who is on a stream now.
    public func list(_ stream: StreamName) -> PresenceList {
        PresenceList(stream: stream.rawValue, users: rosters.withLock { $0[stream]?.users ?? [] })
    }

    /// Joins the stream's room, sends the list, and announces the user's new count.
    public func open(_ session: FeatureSession) -> [FeatureAction] {
        let stream = session.stream
        let id = session.connection.id
        var actions: [FeatureAction] = [.join(stream.room, id)]
        if let userId = session.connection.identity?.userId,
           let count = rosters.withLock({ $0[stream, default: PresenceRoster()].add(user: userId, connection: id) }),
           let message = Self.change(stream, userId, count, url: count == 1 ? Self.joinedURL(stream) : Self.updatedURL(stream)) {
            actions.append(.push(message, to: .room(stream.room, excluding: id)))
        }
        if let list = try? PushMessage(url: Self.listURL(stream), json: list(stream), delivery: .latest(key: "")) {
            actions.append(.push(list, to: .connection(id)))
        }
        return actions
    }

    /// Leaves the room and announces the user's new count (`left` after their last connection).
    public func close(_ session: FeatureSession) -> [FeatureAction] {
        let stream = session.stream
        let id = session.connection.id
        var actions: [FeatureAction] = [.leave(stream.room, id)]
        guard let userId = session.connection.identity?.userId else { return actions }
        let count = rosters.withLock { rosters -> Int? in
            guard var roster = rosters[stream] else { return nil }
            let count = roster.remove(user: userId, connection: id)
            rosters[stream] = roster.isEmpty ? nil : roster
            return count
        }
        if let count, let message = Self.change(stream, userId, count, url: count == 0 ? Self.leftURL(stream) : Self.updatedURL(stream)) {
            actions.append(.push(message, to: .room(stream.room, excluding: id)))
        }
        return actions
    }

    // Encoding a struct of two strings and an integer cannot fail, hence `try?`.
    private static func change(_ stream: StreamName, _ userId: String, _ count: Int, url: String) -> PushMessage? {
        try? PushMessage(url: url, json: PresenceChange(stream: stream.rawValue, userId: userId, connections: count))
    }
}
