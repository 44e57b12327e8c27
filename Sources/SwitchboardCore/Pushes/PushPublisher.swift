import Foundation
import Synchronization

/// Turns one push into one ``PushDelivery``: the frame encoded once (with its room offset, for
/// a reliable push), and the live recipients with their transport handles. Members found dead
/// on the way are pruned from every room.
///
/// It does not write anything: hand the delivery to a ``PushTransport``, which queues it on
/// each recipient (the server's coalesces each connection's pushes per event-loop tick). See
/// ``RoomRegistry`` for how a transport plugs in.
///
/// **Order.** A reliable push takes its room's next offset, goes into the room's history and
/// snapshots the room's members in one step. For every connection to receive a room's
/// pushes in offset order, and for a join or resume to fall exactly between two offsets, the
/// transport must queue deliveries for each connection in the order they were made:
/// ``publish(_:deliver:)`` and ``inOrder(_:)`` hold one lock across making deliveries and
/// handing them to `deliver`, and resumes and subscriptions take the same lock.
public final class PushPublisher<Handle: Sendable>: Sendable {
    /// The live connections and their handles.
    public let connections: ConnectionRegistry<Handle>
    /// The rooms.
    public let rooms: RoomRegistry
    /// The rooms' histories (offsets, epochs, kept pushes) and their delivery policy.
    public let history: HistoryStore
    private let order = NSLock()
    private let recipientCache = Mutex(RecipientCache<Handle>())
    private let retains: @Sendable (RoomName) -> Bool
    private let sessionOf: @Sendable (ConnectionID) -> String?

    /// A publisher over a registry, rooms and histories.
    /// - Parameters:
    ///   - connections: The open connections, by id and user.
    ///   - rooms: The rooms pushes are published to.
    ///   - history: The rooms' histories and their delivery policy.
    ///   - retains: whether something besides the room's members (e.g. a parked
    ///     session) still needs a room's history.
    ///   - sessionOf: the session of a connection, recorded with a kept push that excluded it so
    ///     that a resume of that session does not replay the push to it.
    public init(
        connections: ConnectionRegistry<Handle>,
        rooms: RoomRegistry,
        history: HistoryStore = HistoryStore(),
        retains: @escaping @Sendable (RoomName) -> Bool = { _ in false },
        sessionOf: @escaping @Sendable (ConnectionID) -> String? = { _ in nil }
    ) {
        self.connections = connections
        self.rooms = rooms
        self.history = history
        self.retains = retains
        self.sessionOf = sessionOf
    }

    /// Runs `body` holding the publishing lock: deliveries made and queued inside are ordered
    /// with respect to every other push, join-with-position and resume made under it. `body`
    /// must not take the lock again (e.g. by calling ``publish(_:deliver:)``).
    public func inOrder<T>(_ body: () throws -> T) rethrows -> T {
        order.lock()
        defer { order.unlock() }
        return try body()
    }

    /// Publishes pushes in one go, holding the publishing lock: pushes of the call in
    /// created-time order (ties keep the given order), each encoded once, then `deliver` with
    /// every delivery that has recipients (or a position notice), still under the lock.
    /// - Returns: the pushes that could not be encoded, with the reason.
    @discardableResult
    public func publish(_ pushes: [Push], deliver: ([PushDelivery<Handle>]) -> Void) -> [(Push, FrameError)] {
        let sorted = pushes.enumerated().sorted { ($0.element.message.createdAt, $0.offset) < ($1.element.message.createdAt, $1.offset) }
        return inOrder {
            var deliveries: [PushDelivery<Handle>] = []
            deliveries.reserveCapacity(pushes.count)
            var failed: [(Push, FrameError)] = []
            for (_, push) in sorted {
                do throws(FrameError) {
                    let delivery = try send(push.message, to: push.target)
                    if !delivery.isEmpty { deliveries.append(delivery) }
                } catch {
                    failed.append((push, error))
                }
            }
            if !deliveries.isEmpty { deliver(deliveries) }
            return failed
        }
    }

    /// A push to one target. Outside ``inOrder(_:)``, deliveries of concurrent calls may reach
    /// a connection out of offset order.
    public func send(_ message: PushMessage, to target: PushTarget) throws(FrameError) -> PushDelivery<Handle> {
        switch target {
        case .connection(let id): try sendToIndividual(id, message)
        case .user(let userId): try sendToGroup(.user(userId), message)
        case .room(let room, let excluded): try sendToGroup(room, message, excluding: excluded)
        case .everyone(let excluded): try broadcast(message, excluding: excluded)
        }
    }

    /// A push to one connection, published to its client room (and kept in that room's
    /// history by its class); no recipients, and nothing kept, when the connection is gone.
    public func sendToIndividual(_ id: ConnectionID, _ message: PushMessage) throws(FrameError) -> PushDelivery<Handle> {
        guard let entry = connections.get(id) else {
            let bytes = try message.encodedFrame()
            return PushDelivery(bytes: bytes, recipients: [], createdAt: message.createdAt)
        }
        let room = entry.clientRoom
        let (bytes, delivery, _) = try record(message, in: room)
        return PushDelivery(
            bytes: bytes, recipients: [Recipient(id: id, handle: entry.handle)], createdAt: message.createdAt,
            latestKey: message.queueKey(of: delivery, room: room), historyRoom: delivery == .volatile ? nil : room.rawValue
        )
    }

    /// A push to every member of a room, except `excluded` (typically the sender); kept in the
    /// room's history by its class, stamps the room's `lastBroadcastTimestamp` and prunes
    /// members no longer connected. For an auth-gated room, members whose identity is missing
    /// or expired are skipped.
    ///
    /// When a reliable push leaves out a member, that member gets a ``PositionNotice`` instead
    /// (its position moves past the push's offset), and the push is kept with the member's
    /// session, which a resume does not replay it to.
    public func sendToGroup(_ room: RoomName, _ message: PushMessage, excluding excluded: ConnectionID? = nil) throws(FrameError) -> PushDelivery<Handle> {
        let (bytes, delivery, position) = try record(message, in: room, excluding: excluded)
        let live = recipients(ofRoom: room, excluding: excluded)
        let notice = excluded.flatMap { id in position.flatMap { positionNotice(for: id, in: room, at: $0) } }
        return PushDelivery(
            bytes: bytes, recipients: live, createdAt: message.createdAt,
            latestKey: message.queueKey(of: delivery, room: room), historyRoom: delivery == .volatile ? nil : room.rawValue,
            positionNotice: notice
        )
    }

    /// The live members of `room` but `excluded`, for a push now: stamps the room's
    /// `lastBroadcastTimestamp`, prunes members no longer connected and, for an auth-gated
    /// room, skips members whose identity is missing or expired.
    ///
    /// The recipients of a room of at least 64 members (not
    /// auth-gated) are kept and reused while neither its member list nor the connections change,
    /// so a push to a large room does not look up every member again.
    public func recipients(ofRoom room: RoomName, excluding excluded: ConnectionID? = nil) -> [Recipient<Handle>] {
        let connectionsVersion = connections.version
        let (members, stamp) = rooms.broadcastMembers(to: room)
        let gated = rooms.requiresAuthentication(room)
        let cacheable = !gated && members.count >= RecipientCache<Handle>.minimumMembers
        if cacheable, let stamp, let cached = recipientCache.withLock({ $0.recipients(of: room, stamp: stamp, connections: connectionsVersion) }) {
            guard let excluded else { return cached }
            return cached.filter { $0.id != excluded }
        }
        let (live, gone) = connections.resolve(members, excluding: cacheable ? nil : excluded, authenticatedAt: gated ? Date() : nil)
        if !gone.isEmpty { rooms.prune(gone) }
        guard cacheable, let stamp else { return live }
        recipientCache.withLock { $0.keep(live, of: room, stamp: stamp, connections: connectionsVersion) }
        guard let excluded else { return live }
        return live.filter { $0.id != excluded }
    }

    /// What a member left out of a reliable push at `position` gets instead: its position moves
    /// past the push. Nothing for a connection that is not a member, or not authenticated for
    /// an auth-gated room (it would not have received the push either).
    public func positionNotice(for id: ConnectionID, in room: RoomName, at position: RoomPosition) -> PositionNotice<Handle>? {
        guard rooms.isMember(id, of: room), let entry = connections.get(id) else { return nil }
        if rooms.requiresAuthentication(room), !entry.isAuthenticated(at: Date()) { return nil }
        let bytes = SubscribeNotice(room: room.rawValue, epoch: position.epoch, offset: position.offset).encodedFrame()
        return PositionNotice(bytes: bytes, recipient: Recipient(id: id, handle: entry.handle))
    }

    /// A push to every connection of this node, except `excluded`; published to no room, so
    /// volatile whatever its class (a latest-class push still supersedes in queues).
    public func broadcast(_ message: PushMessage, excluding excluded: ConnectionID? = nil) throws(FrameError) -> PushDelivery<Handle> {
        let bytes = try message.encodedFrame()
        return PushDelivery(
            bytes: bytes, recipients: connections.allRecipients(excluding: excluded), createdAt: message.createdAt,
            latestKey: message.delivery.flatMap { message.queueKey(of: $0, room: nil) }
        )
    }

    /// Encodes `message` for `room` once and keeps it in the room's history by its class, with
    /// the session of the connection it leaves out.
    /// - Returns: the frame, the class, and the room's position after a reliable push.
    private func record(
        _ message: PushMessage, in room: RoomName, excluding excluded: ConnectionID? = nil
    ) throws(FrameError) -> ([UInt8], DeliveryClass, RoomPosition?) {
        var bytes = try message.encodedFrame(room: room)
        let delivery = message.delivery ?? history.defaultDelivery(for: room)
        var position: RoomPosition?
        switch delivery {
        case .reliable:
            position = history.appendReliable(&bytes, to: room, excludedSession: excluded.flatMap(sessionOf))
        case .latest:
            history.appendLatest(bytes, key: message.latestKey(of: delivery) ?? message.url, to: room, excludedSession: excluded.flatMap(sessionOf))
        case .volatile:
            break
        }
        if delivery != .volatile {
            let rooms = self.rooms
            let retains = self.retains
            history.sweep { rooms.exists($0) || retains($0) }
        }
        return (bytes, delivery, position)
    }
}
