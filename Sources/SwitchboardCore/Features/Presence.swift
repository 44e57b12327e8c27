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
///
/// On one node of several, a server shares the counts through its cluster bus
/// (``share(through:)``): a user's count is then the sum over the nodes, a user with tabs on two
/// nodes is `joined` once and `left` only after their last tab on any node, and the list is the
/// cluster's.
public final class Presence: Feature {
    /// `presence`.
    public let name = "presence"
    private let state = Mutex(State())

    private struct State {
        var rosters: [StreamName: PresenceRoster] = [:]
        /// Open sessions per stream, unauthenticated ones included.
        var sessions: [StreamName: Int] = [:]
        var shared: (any SharedPresence)?
    }

    /// A presence feature with nobody present.
    public init() {}

    /// Shares the counts with the other nodes through `shared` from now on (a server does this
    /// with its cluster bus); call it before connections open.
    public func share(through shared: any SharedPresence) {
        state.withLock { $0.shared = shared }
        shared.attach(self)
    }

    /// The url of the list push for a stream, `/presence/<stream>`.
    public static func listURL(_ stream: StreamName) -> String { "/presence/" + stream.rawValue }
    /// The url of join pushes for a stream, `/presence/<stream>/joined`.
    public static func joinedURL(_ stream: StreamName) -> String { listURL(stream) + "/joined" }
    /// The url of leave pushes for a stream, `/presence/<stream>/left`.
    public static func leftURL(_ stream: StreamName) -> String { listURL(stream) + "/left" }
    /// The url of count pushes for a stream, `/presence/<stream>/updated`: a present user
    /// opened or closed another connection.
    public static func updatedURL(_ stream: StreamName) -> String { listURL(stream) + "/updated" }

    /// Who is on a stream on this node.
    public func list(_ stream: StreamName) -> PresenceList {
        PresenceList(stream: stream.rawValue, users: state.withLock { $0.rosters[stream]?.users ?? [] })
    }

    /// Who is on a stream: across every node when shared (this node's list when the shared
    /// store cannot be reached), else ``list(_:)``.
    public func currentList(_ stream: StreamName) async -> PresenceList {
        guard let shared = state.withLock({ $0.shared }), let users = await shared.users(on: stream) else { return list(stream) }
        return PresenceList(stream: stream.rawValue, users: users)
    }

    /// Runs `body` with this node's count of each user's connections on each stream it has
    /// sessions on (streams with unauthenticated sessions only map to no users), holding the
    /// lock that orders changes: no change is recorded while it runs.
    public func withCounts<Result>(_ body: ([StreamName: [String: Int]]) -> Result) -> Result {
        state.withLock { state in
            var counts: [StreamName: [String: Int]] = [:]
            for stream in state.sessions.keys {
                let users = state.rosters[stream]?.users ?? []
                counts[stream] = Dictionary(uniqueKeysWithValues: users.map { ($0.userId, $0.connections) })
            }
            return body(counts)
        }
    }

    /// The push announcing that a user's count on a stream fell to `remaining` (across every
    /// node): `left` at 0, else `updated`; e.g. after another node died.
    public func departure(of userId: String, on stream: StreamName, remaining: Int) -> Push? {
        Self.change(stream, userId, remaining, url: remaining == 0 ? Self.leftURL(stream) : Self.updatedURL(stream))
            .map { Push($0, to: .room(stream.room)) }
    }

    /// Joins the stream's room, sends the list, and announces the user's new count.
    public func open(_ session: FeatureSession) -> [FeatureAction] {
        let stream = session.stream
        let id = session.connection.id
        let userId = session.connection.identity?.userId
        var pushes: [Push] = []
        state.withLock { state in
            state.sessions[stream, default: 0] += 1
            let count = userId.flatMap { state.rosters[stream, default: PresenceRoster()].add(user: $0, connection: id) }
            if let shared = state.shared {
                let record = PresenceRecord(stream: stream, userId: count == nil ? nil : userId, count: count ?? 0, wantsList: true)
                shared.record(record) { tally in
                    var pushes: [Push] = []
                    if let userId = record.userId, let change = Self.arrival(of: userId, on: stream, total: tally.total, excluding: id) { pushes.append(change) }
                    if let list = Self.listPush(tally.users ?? [], on: stream, to: id) { pushes.append(list) }
                    return pushes
                }
                return
            }
            if let userId, let count, let change = Self.arrival(of: userId, on: stream, total: count, excluding: id) { pushes.append(change) }
            if let list = Self.listPush(state.rosters[stream]?.users ?? [], on: stream, to: id) { pushes.append(list) }
        }
        return [.join(stream.room, id)] + pushes.map { .push($0.message, to: $0.target) }
    }

    /// Leaves the room and announces the user's new count (`left` after their last connection).
    public func close(_ session: FeatureSession) -> [FeatureAction] {
        let stream = session.stream
        let id = session.connection.id
        let userId = session.connection.identity?.userId
        let change = state.withLock { state -> Push? in
            let sessions = (state.sessions[stream] ?? 1) - 1
            state.sessions[stream] = sessions > 0 ? sessions : nil
            guard let userId, var roster = state.rosters[stream], let count = roster.remove(user: userId, connection: id) else { return nil }
            state.rosters[stream] = roster.isEmpty ? nil : roster
            if let shared = state.shared {
                shared.record(PresenceRecord(stream: stream, userId: userId, count: count, wantsList: false)) { tally in
                    Self.leaving(of: userId, on: stream, total: tally.total, excluding: id).map { [$0] } ?? []
                }
                return nil
            }
            return Self.leaving(of: userId, on: stream, total: count, excluding: id)
        }
        return [.leave(stream.room, id)] + (change.map { [.push($0.message, to: $0.target)] } ?? [])
    }

    private static func arrival(of userId: String, on stream: StreamName, total: Int, excluding id: ConnectionID) -> Push? {
        change(stream, userId, total, url: total == 1 ? joinedURL(stream) : updatedURL(stream)).map { Push($0, to: .room(stream.room, excluding: id)) }
    }

    private static func leaving(of userId: String, on stream: StreamName, total: Int, excluding id: ConnectionID) -> Push? {
        change(stream, userId, total, url: total == 0 ? leftURL(stream) : updatedURL(stream)).map { Push($0, to: .room(stream.room, excluding: id)) }
    }

    private static func listPush(_ users: [PresenceList.User], on stream: StreamName, to id: ConnectionID) -> Push? {
        let list = PresenceList(stream: stream.rawValue, users: users)
        return (try? PushMessage(url: listURL(stream), json: list, delivery: .latest(key: ""))).map { Push($0, to: .connection(id)) }
    }

    // Encoding a struct of two strings and an integer cannot fail, hence `try?`.
    private static func change(_ stream: StreamName, _ userId: String, _ count: Int, url: String) -> PushMessage? {
        try? PushMessage(url: url, json: PresenceChange(stream: stream.rawValue, userId: userId, connections: count))
    }
}
