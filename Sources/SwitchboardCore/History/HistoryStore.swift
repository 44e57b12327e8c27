import Synchronization

/// The histories of this node's rooms: epochs, offsets and the pushes kept for replay.
///
/// A room's history starts at its first reliable or latest-class push, or when a client asks
/// for the room's position (a subscribe, a join, a resume), with a new random non-zero epoch
/// and offset 0. It is kept, entries bounded by the room's ``HistoryLimits``, while the room
/// has members or was used within the room's `maxAge` (the server drops a random client
/// room's history when its connection closes: nothing can join or resume it); a history
/// dropped and started again gets a new epoch, so positions of the old one are never mistaken
/// for positions of the new one. All histories together keep at most
/// ``DeliveryPolicy/maxTotalBytes`` of frames: past it the least recently used rooms'
/// histories are dropped until the total is at most 7/8 of it (their next use starts a new
/// epoch).
/// A server's histories live in memory: a restarted server has new epochs everywhere.
///
/// **Shared histories.** With a `source` (one node of a cluster), a room's history is a copy of
/// the room's shared one: loaded from the source when the store first needs it, then kept in
/// step with ``appendShared(_:epoch:to:acceptingGap:)``, whose offsets and sequence numbers the cluster
/// gives. Only the source's epochs are used then, unless it cannot be reached.
///
/// Thread-safe: one `Mutex`. Offsets are given under it; ``PushPublisher`` makes offset,
/// history and the members' snapshot one step with respect to joins and resumes.
public final class HistoryStore: Sendable {
    private struct State {
        var histories: [RoomName: RoomHistory] = [:]
        var lastSweep: Int64 = 0
        /// The frame bytes of every history together.
        var totalBytes = 0

        /// Runs `body` on the room's history, created with a new epoch when missing, then keeps
        /// the total within `policy.maxTotalBytes` by dropping other rooms' histories.
        mutating func withHistory<T>(
            _ room: RoomName, now: Int64, policy: DeliveryPolicy, epochs: () -> UInt32, source: HistorySource?,
            _ body: (inout RoomHistory) -> T
        ) -> T {
            // Taken out and put back, so the history is uniquely referenced while it changes.
            let existing = histories.removeValue(forKey: room)
            let before = existing?.bytes ?? 0
            var history =
                existing
                ?? source?(room).map { RoomHistory(shared: $0, limits: policy.limits(for: room), now: now) }
                ?? RoomHistory(epoch: epochs(), limits: policy.limits(for: room), now: now)
            let result = body(&history)
            totalBytes += history.bytes - before
            keepWithinTotal(policy)
            histories[room] = history
            return result
        }

        /// Past `policy.maxTotalBytes`, drops whole histories, least recently used first, until
        /// the total is at most 7/8 of it: one sort of the rooms per eighth of the bound
        /// appended, rather than a search of every room at each push once the bound is reached.
        /// The history being changed is out of `histories` meanwhile, so it is never dropped.
        mutating func keepWithinTotal(_ policy: DeliveryPolicy) {
            guard totalBytes > policy.maxTotalBytes else { return }
            let target = policy.maxTotalBytes - policy.maxTotalBytes / 8
            let byAge = histories.map { (room: $0.key, lastUsed: $0.value.lastUsed) }.sorted { $0.lastUsed < $1.lastUsed }
            for candidate in byAge {
                guard totalBytes > target else { return }
                if let dropped = histories.removeValue(forKey: candidate.room) { totalBytes -= dropped.bytes }
            }
        }

        /// Replaces a room's history, keeping the total.
        mutating func update(_ room: RoomName, _ body: (inout RoomHistory) -> Void) {
            guard var history = histories.removeValue(forKey: room) else { return }
            let before = history.bytes
            body(&history)
            totalBytes += history.bytes - before
            histories[room] = history
        }
    }

    /// The classes and limits per room.
    public let policy: DeliveryPolicy
    private let state = Mutex(State())
    private let clock: @Sendable () -> Int64
    private let epochs: @Sendable () -> UInt32
    private let source: HistorySource?
    /// How often idle histories are looked for, at most: once a second.
    private static let sweepInterval: Int64 = 1000

    /// A store with no history.
    /// - Parameters:
    ///   - policy: each room's default class and limits.
    ///   - clock: milliseconds since 1970.
    ///   - epochs: makes a new history's epoch; `nil`: random and non-zero, from the system's
    ///     secure generator.
    ///   - source: where a room's shared history is loaded from when the store has none;
    ///     `nil` (one node) starts every history here.
    public init(
        policy: DeliveryPolicy = DeliveryPolicy(),
        clock: @escaping @Sendable () -> Int64 = RoomRegistry.millisecondsSince1970,
        epochs: (@Sendable () -> UInt32)? = nil,
        source: HistorySource? = nil
    ) {
        self.policy = policy
        self.clock = clock
        self.epochs = epochs ?? SecureRandom.nonZeroUInt32
        self.source = source
    }

    /// Keeps a push whose epoch, offset and sequence number the cluster gave
    /// (``SharedHistory/Entry``), when this store holds the room's history; never loads one.
    /// A history of another epoch is replaced (the shared one was lost and started again):
    /// positions before the entry are then not covered. A reliable push past the copy's next
    /// offset is ``SharedAppend/gap(after:)`` (nothing kept) unless `acceptingGap`, when the
    /// missing offsets are marked not covered instead (the shared history no longer has them).
    public func appendShared(_ entry: SharedHistory.Entry, epoch: UInt32, to room: RoomName, acceptingGap: Bool = false) -> SharedAppend {
        let now = clock()
        return state.withLock { state in
            guard var history = state.histories.removeValue(forKey: room) else { return .untracked }
            let before = history.bytes
            defer {
                state.totalBytes += history.bytes - before
                state.keepWithinTotal(policy)
                state.histories[room] = history
            }
            if history.epoch != epoch {
                let start = SharedHistory(
                    epoch: epoch, offset: entry.offset == 0 ? entry.position : entry.offset - 1,
                    sequence: entry.sequence > 0 ? entry.sequence - 1 : 0, entries: [], isComplete: false
                )
                history = RoomHistory(shared: start, limits: history.limits, now: now)
            }
            return history.appendShared(entry, now: now, acceptingGap: acceptingGap)
        }
    }

    /// Whether the store holds a history for `room` (it never loads one).
    public func holds(_ room: RoomName) -> Bool {
        state.withLock { $0.histories[room] != nil }
    }

    /// Drops every history: after the shared ones may have changed behind this node's back.
    public func discardAll() {
        state.withLock { state in
            state.histories.removeAll()
            state.totalBytes = 0
        }
    }

    /// The class of a push to `room` that names none.
    public func defaultDelivery(for room: RoomName) -> DeliveryClass {
        policy.delivery(for: room)
    }

    /// Gives an encoded push frame the room's next offset (written into the frame) and keeps it.
    /// `excludedSession` is the session of the connection the push left out, if any (see
    /// ``replay(_:from:liveSince:session:)``).
    /// - Returns: the room's position, the new offset.
    public func appendReliable(_ frame: inout [UInt8], to room: RoomName, excludedSession: String? = nil) -> RoomPosition {
        let now = clock()
        return state.withLock { state in
            state.withHistory(room, now: now, policy: policy, epochs: epochs, source: source) {
                $0.appendReliable(&frame, now: now, excludedSession: excludedSession)
            }
        }
    }

    /// Keeps an encoded latest-class push as the newest for `key`; an empty key means `url`.
    public func appendLatest(_ frame: [UInt8], key: String, to room: RoomName, excludedSession: String? = nil) {
        let now = clock()
        state.withLock { state in
            state.withHistory(room, now: now, policy: policy, epochs: epochs, source: source) {
                $0.appendLatest(frame, key: key, now: now, excludedSession: excludedSession)
            }
        }
    }

    /// The room's position, starting its history if it has none.
    public func position(of room: RoomName) -> RoomPosition {
        mark(of: room).position
    }

    /// Where the room's history stands, starting it if it has none.
    public func mark(of room: RoomName) -> HistoryMark {
        let now = clock()
        return state.withLock { state in
            state.withHistory(room, now: now, policy: policy, epochs: epochs, source: source) { history in
                history.lastUsed = now
                return history.mark
            }
        }
    }

    /// The pushes a client at `position` missed (see ``ReplayOutcome``), starting the room's
    /// history if it has none (which is then a lost one: the epoch changed). A push that left
    /// out `session` is not replayed to it: a reliable one is replaced by a SUBSCRIBE frame with
    /// id 0 at its offset, a latest-class one is skipped.
    public func replay(_ room: RoomName, from position: RoomPosition, liveSince: HistoryMark? = nil, session: String? = nil) -> ReplayOutcome {
        let now = clock()
        return state.withLock { state in
            state.withHistory(room, now: now, policy: policy, epochs: epochs, source: source) { history in
                history.trim(now: now)
                history.lastUsed = now
                return history.replay(room, from: position, liveSince: liveSince, session: session)
            }
        }
    }

    /// Whether a release of `room` by acknowledgements may be worked out now: when the last
    /// one was `interval` milliseconds ago or more (it is then recorded as now). `false` for a
    /// room without a history.
    public func releaseCheckDue(_ room: RoomName, every interval: Int64) -> Bool {
        let now = clock()
        return state.withLock { state in
            guard let checkedAt = state.histories[room]?.releaseCheckedAt, checkedAt == .min || now - checkedAt >= interval else { return false }
            state.histories[room]?.releaseCheckedAt = now
            return true
        }
    }

    /// Drops the room's entries up to `offset` of `epoch`, once every member has acknowledged
    /// them; ignored for another epoch.
    public func release(_ room: RoomName, through offset: UInt64, epoch: UInt32) {
        state.withLock { state in
            guard state.histories[room]?.epoch == epoch else { return }
            state.update(room) { $0.release(through: offset) }
        }
    }

    /// Drops a room's history: its next one has a new epoch.
    public func discard(_ room: RoomName) {
        state.withLock { state in
            if let dropped = state.histories.removeValue(forKey: room) { state.totalBytes -= dropped.bytes }
        }
    }

    /// Trims every history by age and drops the empty ones unused for their room's `maxAge`,
    /// unless `retained` says the room is still in use (it has members, or a parked session
    /// holds it); those count as used now. Runs at most once a second unless `force`.
    public func sweep(force: Bool = false, retained: (RoomName) -> Bool) {
        let now = clock()
        state.withLock { state in
            guard force || now - state.lastSweep >= Self.sweepInterval else { return }
            state.lastSweep = now
            // In place (no hashing per history); the idle empty ones are removed after the pass.
            var idle: [RoomName] = []
            for index in state.histories.indices {
                let room = state.histories.keys[index]
                let (bytesChange, isIdle) = state.histories.values[index].sweep(now: now, retained: retained(room))
                state.totalBytes += bytesChange
                if isIdle { idle.append(room) }
            }
            for room in idle { state.histories[room] = nil }
        }
    }

    /// The number of rooms with a history.
    public var count: Int { state.withLock { $0.histories.count } }

    /// The bytes of push frames kept, all rooms together (bounded by
    /// ``DeliveryPolicy/maxTotalBytes``).
    public var storedBytes: Int { state.withLock { $0.totalBytes } }

    /// The number of pushes kept for `room`.
    public func storedCount(of room: RoomName) -> Int { state.withLock { $0.histories[room]?.entries.count ?? 0 } }
}

