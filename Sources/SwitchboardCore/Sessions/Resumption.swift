/// Carries out a RESUME (PROTOCOL.md §7): claims the token's session, then restores each room
/// (the session's rooms and the rooms the client names), re-checked by the room access policy,
/// replaying what the client missed.
///
/// Every room is joined and its missed pushes handed to `replay` inside the publisher's lock
/// (``PushPublisher/inOrder(_:)``): a push published meanwhile either is in the replay or
/// reaches the connection live after it, never both, never neither. Recovery is all or nothing
/// per room.
public struct Resumption<Handle: Sendable>: Sendable {
    /// The publisher whose rooms and histories are resumed.
    public let publisher: PushPublisher<Handle>
    /// The sessions.
    public let sessions: SessionRegistry

    /// A resumption over a publisher and sessions.
    public init(publisher: PushPublisher<Handle>, sessions: SessionRegistry) {
        self.publisher = publisher
        self.sessions = sessions
    }

    /// Why a RESUME with another user's token is refused (403).
    public static var otherUserReason: String { "resume token belongs to another user" }
    /// Why a token resumed nothing.
    public static var unknownTokenReason: String { "unknown or expired resume token" }

    /// Resumes `request` on `connection`.
    /// - Parameters:
    ///   - request: The RESUME frame's request.
    ///   - connection: The new connection the session resumes on.
    ///   - liveSince: where the connection's own rooms stood when it connected
    ///     (``PushPublisher/connect(_:)``).
    ///   - replay: queues a room's missed frames for the connection, in order; called under
    ///     the publisher's lock.
    public func resume(
        _ request: ResumeRequest,
        connection: any ConnectionContext,
        liveSince: RoomMarks,
        replay: (RoomName, [[UInt8]]) -> Void
    ) -> ResumeOutcome {
        let userId = connection.identity?.userId
        var session: ParkedSession?
        var previous: ConnectionID?
        var reason: String?
        var greeting = sessions.greeting(of: connection.id)
        if let token = request.resumeToken {
            switch sessions.claim(token: token, userId: userId, for: connection.id) {
            case .otherUser:
                return .refused(.forbidden, Self.otherUserReason)
            case .unknown:
                reason = Self.unknownTokenReason
            case .parked(let parked, let claimed):
                session = parked
                greeting = claimed
            case .live(let holder, let parked, let claimed):
                session = parked
                session?.rooms = publisher.rooms.rooms(of: holder)
                previous = holder
                greeting = claimed
            }
        }
        let positions = request.rooms ?? [:]
        var names = Set(positions.keys.map { RoomName($0) })
        for room in session?.rooms ?? [] {
            // Another connection's client room cannot be this one's; it is only reported when asked for.
            if room.rawValue.hasPrefix("client-") && !RoomAccessPolicy.isOwnRoom(room, of: connection) { continue }
            names.insert(room)
        }
        var recoveries: [String: RoomRecovery] = [:]
        publisher.inOrder {
            for room in names.sorted() {
                recoveries[room.rawValue] = restore(
                    room, from: positions[room.rawValue], connection: connection, session: greeting?.sessionId, liveSince: liveSince[room],
                    replay: replay
                )
            }
        }
        let answer = ResumeAnswer(
            sessionId: greeting?.sessionId ?? "", resumeToken: greeting?.resumeToken ?? "",
            resumed: session != nil, reason: reason, rooms: recoveries
        )
        return .answered(answer, previous: previous, isActive: session?.isActive)
    }

    /// One room, under the publisher's lock. Pushes that left out `session` are not replayed
    /// (a SUBSCRIBE #0 moves the client past them instead).
    private func restore(
        _ room: RoomName, from position: RoomPosition?, connection: any ConnectionContext, session: String?, liveSince: HistoryMark?,
        replay: (RoomName, [[UInt8]]) -> Void
    ) -> RoomRecovery {
        guard room.isValid else {
            return RoomRecovery(recovered: false, reason: "refused: " + RoomRegistry.invalidNameReason)
        }
        if case .denied(let why) = publisher.rooms.access(to: room, for: connection) {
            return RoomRecovery(recovered: false, reason: "refused: " + why)
        }
        publisher.rooms.join(room, connection.id)
        guard let position else {
            let now = publisher.history.position(of: room)
            return RoomRecovery(recovered: false, reason: "no position given", epoch: now.epoch, offset: now.offset)
        }
        switch publisher.history.replay(room, from: position, liveSince: liveSince, session: session) {
        case .recovered(let frames, let now):
            if !frames.isEmpty { replay(room, frames) }
            return RoomRecovery(recovered: true, epoch: now.epoch, offset: now.offset)
        case .lost(let why, let now):
            return RoomRecovery(recovered: false, reason: why, epoch: now.epoch, offset: now.offset)
        }
    }
}
