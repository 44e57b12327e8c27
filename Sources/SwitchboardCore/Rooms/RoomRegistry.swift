import Foundation
import Synchronization

/// The rooms of this node: which connections are in which room.
///
/// Every connection is in its client room (`client-<clientId>`) and its user's room
/// (`user-<userId>`) from ``connect(_:)`` until ``disconnect(_:)``; other rooms are joined by
/// server code (``join(_:_:sharingMembersOf:)``, trusted) or at a client's request
/// (``join(_:requestedBy:)``, checked by the ``RoomAccessPolicy``; a refusal is a 403). A room
/// exists while it has members and is deleted when the last one leaves. A room created with
/// `sharingMembersOf:` keeps no member list of its own: its members are the source room's, so joining or leaving either changes both, and it is
/// deleted with the source. Each room keeps ``RoomState/lastBroadcastTimestamp``, stamped by
/// ``membersForBroadcast(to:)``.
///
/// Thread-safe: one `Mutex`; a broadcast snapshot of the members is the room's `Set` itself
/// (copy-on-write), so taking it allocates nothing per member.
///
/// ## Integrating a transport
/// The server owns one ``ConnectionRegistry`` (its handle type carries the channel and event
/// loop), one `RoomRegistry` and one ``PushPublisher`` over both, and implements
/// ``PushTransport``: "write these bytes, as one binary WebSocket message, to these
/// recipients" (grouping recipients by event loop there, one task per loop, and coalescing
/// what one connection gets within one tick into one message with the ``QueuedPush`` rule).
/// - On upgrade: `connections.add(id:handle:clientId:userId:isActive:expiresAt:)`, then
///   `rooms.connect(context)`, then open the features asked for (``FeatureSet``).
/// - On close: `connections.remove(id)`, then `rooms.disconnect(id)`, then run the features'
///   close hooks.
/// - `req.connection.join(room)` (``ConnectionContext/join(_:)``) calls
///   ``join(_:requestedBy:)``; a thrown ``RoomJoinRefusal`` answers its status (403).
/// - `res.push` and ``ConnectionContext/publish(_:)``: each push through the publisher method
///   of its target, then one `transport.deliver(deliveries)` for the whole call. Dead members
///   found on the way are pruned by the publisher.
/// - The room-state route returns ``state(of:)`` (JSON `null` when it is `nil`).
/// - `disconnect(user:)`: `connections.removeAll(ofUser:)`, close each, `rooms.disconnect` each.
public final class RoomRegistry: Sendable {
    private struct Room {
        /// The members, for a room with its own list; empty for a room that shares a list.
        var members: Set<ConnectionID> = [] { didSet { version &+= 1 } }
        /// Counts the changes of `members`.
        var version: UInt64 = 0
        /// Unique to this room's life: a room deleted and created again has a new one.
        let incarnation = RoomRegistry.incarnations.add(1, ordering: .relaxed).newValue
        /// The room whose member list this room shares.
        var source: RoomName?
        /// Rooms that share this room's member list.
        var sharers: Set<RoomName> = []
        var lastBroadcastTimestamp: Int64?
    }

    private struct State {
        var rooms: [RoomName: Room] = [:]
        /// The rooms with their own member list that each connection is in.
        var roomsOf: [ConnectionID: ConnectionRooms] = [:]

        /// Adds `id` to `room` (to its source, for a sharing room), creating the room — sharing
        /// `source`'s member list when given — and noting the rooms created in `changes`.
        /// - Returns: `false` when it was already a member.
        mutating func join(_ room: RoomName, _ id: ConnectionID, sharingMembersOf source: RoomName? = nil, changes: inout [RoomChange]) -> Bool {
            let target: RoomName
            if let existing = rooms[room] {
                target = existing.source ?? room
            } else if let source, source != room {
                let root = rooms[source]?.source ?? source
                if rooms[root] == nil { changes.append(.occupied(root)) }
                rooms[room] = Room(source: root)
                rooms[root, default: Room()].sharers.insert(room)
                changes.append(.occupied(room))
                target = root
            } else {
                target = room
                changes.append(.occupied(room))
            }
            guard rooms[target, default: Room()].members.insert(id).inserted else { return false }
            roomsOf[id, default: ConnectionRooms()].insert(target)
            return true
        }

        /// Removes `id` from `name` (a room with its own list); deletes the room and its
        /// sharers when it becomes empty.
        mutating func remove(_ id: ConnectionID, from name: RoomName, changes: inout [RoomChange]) -> Bool {
            guard rooms[name]?.members.remove(id) != nil else { return false }
            if rooms[name]?.members.isEmpty == true, let room = rooms.removeValue(forKey: name) {
                changes.append(.vacated(name))
                for sharer in room.sharers {
                    rooms[sharer] = nil
                    changes.append(.vacated(sharer))
                }
            }
            return true
        }
    }

    private let state = Mutex(State())
    /// Boxed in a struct: a bare function type in the generic `Mutex` would be reabstracted on
    /// every `inout` access, each read nesting one more thunk around the closure (the stack
    /// of a report would grow by one call per change, without end).
    private let observer = Mutex<ChangeObserver?>(nil)
    private let policy: RoomAccessPolicy
    private let clock: @Sendable () -> Int64

    /// A registry with no rooms.
    /// - Parameters:
    ///   - policy: who may join which room at a client's request.
    ///   - clock: the time stamped on broadcasts, in milliseconds since 1970.
    public init(policy: RoomAccessPolicy = .ownRoomsOnly, clock: @escaping @Sendable () -> Int64 = RoomRegistry.millisecondsSince1970) {
        self.policy = policy
        self.clock = clock
    }

    /// The current time in milliseconds since 1970.
    public static func millisecondsSince1970() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    /// Reports every later change of rooms and connections to `body` (replacing an earlier
    /// observer), after the change, on the thread that made it: what a cluster bus registers
    /// elsewhere. `body` must not block and must not wait for the publisher's lock.
    public func observe(_ body: @escaping @Sendable ([RoomChange]) -> Void) {
        observer.withLock { $0 = ChangeObserver(body: body) }
    }

    private func report(_ changes: [RoomChange]) {
        guard !changes.isEmpty, let observer = observer.withLock({ $0 }) else { return }
        observer.body(changes)
    }

    private struct ChangeObserver: Sendable {
        let body: @Sendable ([RoomChange]) -> Void
    }

    // MARK: Connections

    /// Puts a new connection in its client room and its user's room (when authenticated).
    /// - Returns: the rooms joined.
    @discardableResult
    public func connect(_ connection: any ConnectionContext) -> [RoomName] {
        let id = connection.id
        var joined = [connection.clientRoom]
        if let userId = connection.identity?.userId { joined.append(.user(userId)) }
        // Both rooms under one lock, and one report of every change.
        var changes: [RoomChange] = [.connected(id, clientRoom: joined[0])]
        state.withLock { state in
            for room in joined { _ = state.join(room, id, changes: &changes) }
        }
        report(changes)
        return joined
    }

    /// Takes a connection out of every room, deleting rooms left empty.
    /// - Returns: the rooms it was in (with their own member lists), sorted.
    @discardableResult
    public func disconnect(_ id: ConnectionID) -> [RoomName] {
        var changes: [RoomChange] = [.disconnected(id)]
        defer { report(changes) }
        return state.withLock { state in
            guard let names = state.roomsOf.removeValue(forKey: id) else { return [] }
            for name in names { _ = state.remove(id, from: name, changes: &changes) }
            return names.sorted()
        }
    }

    /// Takes connections found dead (e.g. gone from the ``ConnectionRegistry`` during a
    /// broadcast) out of every room.
    public func prune<IDs: Sequence<ConnectionID>>(_ dead: IDs) {
        for id in dead { disconnect(id) }
    }

    // MARK: Join and leave

    /// Adds a connection to a room, creating it; server code, not checked by the policy.
    ///
    /// - Parameters:
    ///   - room: The room to join.
    ///   - id: The connection that joins.
    ///   - source: when the room does not exist yet, create it sharing `source`'s
    ///     member list (e.g. `board-7-tasks` sharing `board-7`); ignored for an existing room.
    ///     Joining a sharing room joins its source.
    /// - Returns: `false` when the connection was already a member.
    @discardableResult
    public func join(_ room: RoomName, _ id: ConnectionID, sharingMembersOf source: RoomName? = nil) -> Bool {
        var changes: [RoomChange] = []
        defer { report(changes) }
        return state.withLock { $0.join(room, id, sharingMembersOf: source, changes: &changes) }
    }

    /// Adds a connection to a room at the client's request, if the ``RoomAccessPolicy``
    /// allows it (and allows the room whose members it shares, if any).
    /// - Throws: ``RoomJoinRefusal`` with status 403 when refused, 400 for an invalid name.
    public func join(_ room: RoomName, requestedBy connection: any ConnectionContext) throws(RoomJoinRefusal) {
        guard room.isValid else {
            throw RoomJoinRefusal(room: room, reason: Self.invalidNameReason, status: .badRequest)
        }
        if case .denied(let reason) = access(to: room, for: connection) {
            throw RoomJoinRefusal(room: room, reason: reason)
        }
        join(room, connection.id)
    }

    /// Why a room name is refused as invalid: the rule ``RoomName/isValid`` checks.
    public static let invalidNameReason = "a room name is 1...255 bytes of '!'...'~' without '|'"

    /// What the ``RoomAccessPolicy`` says about a connection joining `room` (and the room whose
    /// members it shares, if any), without joining. Whatever the policy, a `client-…` or
    /// `user-…` room other than the connection's own is denied: those rooms carry one client's
    /// or one user's pushes.
    public func access(to room: RoomName, for connection: any ConnectionContext) -> RoomAccess {
        var checked = [room]
        if let source = sourceRoom(of: room) { checked.append(source) }
        for name in checked {
            let reserved = name.rawValue.hasPrefix("client-") || name.rawValue.hasPrefix("user-")
            if reserved && !RoomAccessPolicy.isOwnRoom(name, of: connection) {
                return .denied("room \(name) is another connection's client or user room; only a connection's own client-… and user-… rooms are open to it")
            }
            if case .denied(let reason) = policy.decide(connection, name) { return .denied(reason) }
        }
        return .allowed
    }

    /// Whether pushes to `room` (or to the room whose members it shares) reach only members
    /// with an unexpired identity (``RoomAccessPolicy/requiringAuthentication(for:)``).
    public func requiresAuthentication(_ room: RoomName) -> Bool {
        if policy.requiresAuthentication(room) { return true }
        guard let source = sourceRoom(of: room) else { return false }
        return policy.requiresAuthentication(source)
    }

    /// Removes a connection from a room (from its source, for a sharing room); a room left
    /// empty is deleted.
    /// - Returns: `false` when the connection was not a member.
    @discardableResult
    public func leave(_ room: RoomName, _ id: ConnectionID) -> Bool {
        var changes: [RoomChange] = []
        defer { report(changes) }
        return state.withLock { state in
            guard let existing = state.rooms[room] else { return false }
            let target = existing.source ?? room
            guard state.remove(id, from: target, changes: &changes) else { return false }
            state.roomsOf[id]?.remove(target)
            if state.roomsOf[id]?.isEmpty == true { state.roomsOf[id] = nil }
            return true
        }
    }

    // MARK: Queries

    /// The members of a room (its source's, for a sharing room); empty for an unknown room.
    public func members(of room: RoomName) -> Set<ConnectionID> {
        state.withLock { state in
            guard let existing = state.rooms[room] else { return [] }
            guard let source = existing.source else { return existing.members }
            return state.rooms[source]?.members ?? []
        }
    }

    /// Whether a connection is in a room.
    public func isMember(_ id: ConnectionID, of room: RoomName) -> Bool {
        members(of: room).contains(id)
    }

    /// The rooms a connection is in, including rooms that share those rooms' members; sorted.
    public func rooms(of id: ConnectionID) -> [RoomName] {
        state.withLock { state in
            guard let names = state.roomsOf[id] else { return [] }
            var all = Set(names)
            for name in names { all.formUnion(state.rooms[name]?.sharers ?? []) }
            return all.sorted()
        }
    }

    /// Whether a room exists (has members).
    public func exists(_ room: RoomName) -> Bool {
        state.withLock { $0.rooms[room] != nil }
    }

    /// The number of rooms, sharing rooms included.
    public var count: Int { state.withLock { $0.rooms.count } }

    /// The room whose member list `room` shares, if any.
    public func sourceRoom(of room: RoomName) -> RoomName? {
        state.withLock { $0.rooms[room]?.source }
    }

    /// The room-state route's answer: `nil` for an unknown room.
    public func state(of room: RoomName) -> RoomState? {
        state.withLock { state in
            guard let existing = state.rooms[room] else { return nil }
            let members = existing.source.map { state.rooms[$0]?.members.count ?? 0 } ?? existing.members.count
            return RoomState(room: room, lastBroadcastTimestamp: existing.lastBroadcastTimestamp, memberCount: members)
        }
    }

    /// The members to deliver a broadcast to, stamping the room's `lastBroadcastTimestamp`;
    /// empty (and nothing stamped) for an unknown room. The set is a copy-on-write snapshot.
    public func membersForBroadcast(to room: RoomName) -> Set<ConnectionID> {
        broadcastMembers(to: room).members
    }

    /// ``membersForBroadcast(to:)`` with the stamp of that member list: equal stamps mean the
    /// same members (`nil` for an unknown room), so a list derived from them can be reused.
    public func broadcastMembers(to room: RoomName) -> (members: Set<ConnectionID>, stamp: MembershipStamp?) {
        let now = clock()
        return state.withLock { state in
            guard let existing = state.rooms[room] else { return ([], nil) }
            state.rooms[room]?.lastBroadcastTimestamp = now
            guard let source = existing.source else {
                return (existing.members, MembershipStamp(incarnation: existing.incarnation, version: existing.version))
            }
            guard let list = state.rooms[source] else { return ([], nil) }
            return (list.members, MembershipStamp(incarnation: list.incarnation, version: list.version))
        }
    }

    /// Numbers the rooms' lives (``MembershipStamp/incarnation``).
    private static let incarnations = Atomic<UInt64>(0)
}

/// Identifies one state of a room's member list: the room's life (a room deleted and created
/// again starts a new one) and the changes to its members in that life.
public struct MembershipStamp: Sendable, Hashable {
    /// The room's life.
    public var incarnation: UInt64
    /// The changes of its member list so far.
    public var version: UInt64
}
