import Foundation

/// Turns one push into one ``PushDelivery``: the frame encoded once, and the live recipients
/// with their transport handles. Members found dead on the way are pruned from every room.
///
/// It does not write anything: hand the delivery to a ``PushTransport`` now, or enqueue it on
/// a ``SocketQueue`` to coalesce it with other pushes. See ``RoomRegistry`` for how a
/// transport plugs in.
public final class PushPublisher<Handle: Sendable>: Sendable {
    /// The live connections and their handles.
    public let connections: ConnectionRegistry<Handle>
    /// The rooms.
    public let rooms: RoomRegistry

    /// A publisher over a registry and rooms.
    public init(connections: ConnectionRegistry<Handle>, rooms: RoomRegistry) {
        self.connections = connections
        self.rooms = rooms
    }

    /// A push to one target.
    public func send(_ message: PushMessage, to target: PushTarget) throws(FrameError) -> PushDelivery<Handle> {
        switch target {
        case .connection(let id): try sendToIndividual(id, message)
        case .user(let userId): try sendToGroup(.user(userId), message)
        case .room(let room, let excluded): try sendToGroup(room, message, excluding: excluded)
        case .everyone(let excluded): try broadcast(message, excluding: excluded)
        }
    }

    /// A push to one connection, published to its client room; no recipients when it is gone.
    public func sendToIndividual(_ id: ConnectionID, _ message: PushMessage) throws(FrameError) -> PushDelivery<Handle> {
        guard let entry = connections.get(id) else {
            let bytes = try message.encodedFrame()
            return PushDelivery(bytes: bytes, recipients: [], createdAt: message.createdAt, ephemeralKey: message.ephemeralKey(room: nil))
        }
        let room = entry.clientRoom
        let bytes = try message.encodedFrame(room: room)
        return PushDelivery(bytes: bytes, recipients: [Recipient(id: id, handle: entry.handle)], createdAt: message.createdAt, ephemeralKey: message.ephemeralKey(room: room))
    }

    /// A push to every member of a room, except `excluded` (typically the sender); stamps the
    /// room's `lastBroadcastTimestamp` and prunes members no longer connected. For an
    /// auth-gated room, members whose identity is missing or expired are skipped.
    public func sendToGroup(_ room: RoomName, _ message: PushMessage, excluding excluded: ConnectionID? = nil) throws(FrameError) -> PushDelivery<Handle> {
        let bytes = try message.encodedFrame(room: room)
        let members = rooms.membersForBroadcast(to: room)
        let gate = rooms.requiresAuthentication(room) ? Date() : nil
        let (live, gone) = connections.resolve(members, excluding: excluded, authenticatedAt: gate)
        if !gone.isEmpty { rooms.prune(gone) }
        return PushDelivery(bytes: bytes, recipients: live, createdAt: message.createdAt, ephemeralKey: message.ephemeralKey(room: room))
    }

    /// A push to every connection of this node, except `excluded`; published to no room.
    public func broadcast(_ message: PushMessage, excluding excluded: ConnectionID? = nil) throws(FrameError) -> PushDelivery<Handle> {
        let bytes = try message.encodedFrame()
        return PushDelivery(bytes: bytes, recipients: connections.allRecipients(excluding: excluded), createdAt: message.createdAt, ephemeralKey: message.ephemeralKey(room: nil))
    }
}
