import Synchronization

/// The sessions of this node: one per open connection, and the parked ones a reconnecting
/// client may resume.
///
/// A connection gets a session when it opens (``open(_:userId:)``: a new id and a 128-bit
/// random resume token, announced in HELLO). When it drops unexpectedly the server
/// ``park(_:rooms:isActive:)``s its session for the grace period; a deliberate close
/// ``end(_:)``s it. A new connection of the same user presents the token in RESUME
/// (``claim(token:userId:for:)``) and takes the session over, with a new token. Acks are
/// recorded per session and room, so they survive a resume.
///
/// Thread-safe: one `Mutex`.
public final class SessionRegistry: Sendable {
    /// An open connection's session; its id and token packed (no string storage while open).
    private struct Live {
        var sessionId: PackedHexID
        var resumeToken: PackedHexID
        var userId: String?
        var acks: [RoomName: UInt64] = [:]

        var greeting: SessionGreeting { SessionGreeting(sessionId: sessionId.text, resumeToken: resumeToken.text) }
    }

    private struct State {
        var live: [ConnectionID: Live] = [:]
        var liveByToken: [PackedHexID: ConnectionID] = [:]
        /// Parked sessions by token. Changed only through ``addParked(_:token:connection:)`` and
        /// ``removeParked(_:)``, which keep the two indexes below with it.
        private(set) var parked: [String: ParkedSession] = [:]
        /// The token of each parked session, by the connection that last held it, and back.
        private(set) var parkedByConnection: [ConnectionID: String] = [:]
        private var connectionOfParked: [String: ConnectionID] = [:]
        /// The tokens of the parked sessions that list each room: whether parked sessions hold
        /// a room is one look-up (the history sweep asks it for every idle room), and an ACK
        /// asks only the room's own parked sessions.
        private(set) var parkedByRoom: [RoomName: Set<String>] = [:]
        var lastSweep: Int64 = 0

        mutating func addParked(_ session: ParkedSession, token: String, connection: ConnectionID?) {
            removeParked(token)
            parked[token] = session
            if let connection {
                parkedByConnection[connection] = token
                connectionOfParked[token] = connection
            }
            for room in session.rooms { parkedByRoom[room, default: []].insert(token) }
        }

        @discardableResult
        mutating func removeParked(_ token: String) -> ParkedSession? {
            guard let session = parked.removeValue(forKey: token) else { return nil }
            if let connection = connectionOfParked.removeValue(forKey: token), parkedByConnection[connection] == token {
                parkedByConnection[connection] = nil
            }
            for room in session.rooms {
                parkedByRoom[room]?.remove(token)
                if parkedByRoom[room]?.isEmpty == true { parkedByRoom[room] = nil }
            }
            return session
        }

        mutating func sweep(now: Int64) {
            guard now - lastSweep >= 1000 else { return }
            lastSweep = now
            let expired = parked.compactMap { $0.value.expiresAt <= now ? $0.key : nil }
            for token in expired { removeParked(token) }
        }
    }

    /// How long a dropped connection's session waits for a resume.
    public let grace: Duration
    private let state = Mutex(State())
    private let clock: @Sendable () -> Int64
    private let shared: (any SharedSessions)?

    /// A registry whose parked sessions last `grace`.
    /// - Parameter shared: where parked sessions are also kept for the other nodes of a
    ///   cluster; a token this node does not know is claimed there.
    public init(
        grace: Duration = .seconds(120), clock: @escaping @Sendable () -> Int64 = RoomRegistry.millisecondsSince1970,
        shared: (any SharedSessions)? = nil
    ) {
        self.grace = grace
        self.clock = clock
        self.shared = shared
    }

    /// ``grace`` in milliseconds.
    public var graceMilliseconds: Int64 {
        let (seconds, attoseconds) = grace.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Gives a new connection a new session.
    public func open(_ id: ConnectionID, userId: String?) -> SessionGreeting {
        let live = Live(sessionId: .random(), resumeToken: .random(), userId: userId)
        state.withLock { state in
            state.live[id] = live
            state.liveByToken[live.resumeToken] = id
        }
        return live.greeting
    }

    /// The connection's session, if it has one.
    public func greeting(of id: ConnectionID) -> SessionGreeting? {
        state.withLock { $0.live[id]?.greeting }
    }

    /// The id of the session connection `id` holds, or held when it dropped if that session is
    /// parked: what a push that leaves the connection out records (a resume of that session
    /// does not replay the push).
    public func sessionId(of id: ConnectionID) -> String? {
        state.withLock { state in
            if let live = state.live[id] { return live.sessionId.text }
            return state.parkedByConnection[id].flatMap { state.parked[$0]?.sessionId }
        }
    }

    /// Keeps the session of a connection that dropped unexpectedly for the grace period.
    public func park(_ id: ConnectionID, rooms: [RoomName], isActive: Bool) {
        let now = clock()
        let parked = state.withLock { state -> (String, ParkedSession)? in
            state.sweep(now: now)
            guard let live = state.live.removeValue(forKey: id) else { return nil }
            state.liveByToken[live.resumeToken] = nil
            let token = live.resumeToken.text
            let session = ParkedSession(
                sessionId: live.sessionId.text, userId: live.userId, rooms: rooms, acks: live.acks,
                isActive: isActive, expiresAt: now + graceMilliseconds
            )
            state.addParked(session, token: token, connection: id)
            return (token, session)
        }
        if let shared, let (token, session) = parked { shared.park(token: token, session: session) }
    }

    /// Forgets the session of a connection closed deliberately: its token resumes nothing.
    public func end(_ id: ConnectionID) {
        state.withLock { state in
            guard let live = state.live.removeValue(forKey: id) else { return }
            state.liveByToken[live.resumeToken] = nil
        }
    }

    /// Hands the session of `token` to connection `id` (replacing the session it opened with),
    /// with a new token, when it belongs to `userId`; see ``SessionClaim``.
    public func claim(token: String, userId: String?, for id: ConnectionID) -> SessionClaim {
        let now = clock()
        let packed = PackedHexID(token)
        if let shared {
            // Parked on this node, or on another one: either way, no other node may claim it now.
            let local = state.withLock { $0.parked[token] != nil || $0.liveByToken[packed] != nil }
            if local {
                shared.forget(token: token)
            } else if let remote = shared.claim(token: token), remote.expiresAt > now {
                state.withLock { $0.addParked(remote, token: token, connection: nil) }
            }
        }
        return state.withLock { state in
            state.sweep(now: now)
            let session: ParkedSession
            var previous: ConnectionID?
            if let parked = state.parked[token], parked.expiresAt > now {
                guard parked.userId == userId else { return .otherUser }
                state.removeParked(token)
                session = parked
            } else if let holder = state.liveByToken[packed], holder != id, let live = state.live[holder] {
                guard live.userId == userId else { return .otherUser }
                state.live[holder] = nil
                state.liveByToken[packed] = nil
                previous = holder
                session = ParkedSession(sessionId: live.sessionId.text, userId: live.userId, rooms: [], acks: live.acks, isActive: true, expiresAt: now)
            } else {
                return .unknown
            }
            if let fresh = state.live[id] { state.liveByToken[fresh.resumeToken] = nil }
            let live = Live(sessionId: PackedHexID(session.sessionId), resumeToken: .random(), userId: userId, acks: session.acks)
            state.live[id] = live
            state.liveByToken[live.resumeToken] = id
            let greeting = live.greeting
            if let previous { return .live(previous: previous, session, greeting) }
            return .parked(session, greeting)
        }
    }

    /// Records that connection `id` has processed `room`'s pushes up to `offset`.
    public func acknowledge(_ id: ConnectionID, room: RoomName, offset: UInt64) {
        state.withLock { state in
            guard let acked = state.live[id]?.acks[room] ?? (state.live[id] != nil ? 0 : nil) else { return }
            state.live[id]?.acks[room] = max(acked, offset)
        }
    }

    /// The offset of `room` that every holder has acknowledged: the live `members` and the
    /// parked sessions that were in the room; `nil` when one of them has not acknowledged
    /// anything, or nobody holds the room.
    public func acknowledgedByAll(_ room: RoomName, members: Set<ConnectionID>) -> UInt64? {
        let now = clock()
        return state.withLock { state -> UInt64? in
            var lowest: UInt64?
            for member in members {
                guard let acked = state.live[member]?.acks[room] else { return nil }
                lowest = min(lowest ?? acked, acked)
            }
            for token in state.parkedByRoom[room] ?? [] {
                guard let parked = state.parked[token], parked.expiresAt > now else { continue }
                guard let acked = parked.acks[room] else { return nil }
                lowest = min(lowest ?? acked, acked)
            }
            return lowest
        }
    }

    /// Whether a parked session was in `room` (its history must be kept for it); one look-up.
    /// A session that expired within the last second may still count (expired sessions are
    /// dropped at most once a second).
    public func parkedSessionsHold(_ room: RoomName) -> Bool {
        let now = clock()
        return state.withLock { state in
            state.sweep(now: now)
            return state.parkedByRoom[room] != nil
        }
    }

    /// The number of parked sessions (expired ones may be counted until the next sweep).
    public var parkedCount: Int { state.withLock { $0.parked.count } }
}
