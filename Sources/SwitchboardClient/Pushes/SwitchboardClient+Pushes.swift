import SwitchboardCore

/// Pushes and rooms.
extension SwitchboardClient {
    /// Calls `handler` for every push whose url matches `pattern` (route syntax: `/boards/:id/tasks`,
    /// `*`, a trailing `**`), with the captured values in `push.params`. Handlers run on the
    /// connection's event loop, in arrival order (a batch's pushes in order), and keep working
    /// across reconnects.
    @discardableResult
    public func on(_ pattern: String, handler: @escaping @Sendable (ClientPush) -> Void) -> PushSubscription {
        PushSubscription(listeners: listeners, id: listeners.add(PushPattern(pattern), handler: handler))
    }

    /// The pushes whose url matches `pattern`, as an async sequence; it ends when the client is
    /// closed, and the listener is removed when the iterating task stops. A slow reader keeps
    /// the newest ``ClientConfiguration/pushBufferSize`` pushes.
    public func pushes(matching pattern: String) -> AsyncStream<ClientPush> {
        let (stream, continuation) = AsyncStream.makeStream(of: ClientPush.self, bufferingPolicy: .bufferingNewest(listeners.bufferSize))
        let id = listeners.add(PushPattern(pattern), handler: { continuation.yield($0) }, finish: { continuation.finish() })
        if let id {
            continuation.onTermination = { [listeners] _ in listeners.remove(id) }
        }
        return stream
    }

    /// Joins `room` through the server's reserved route (`POST /_switchboard/rooms/join`); the
    /// client is in it again after every reconnect (restored by RESUME, else joined again) until
    /// ``leave(_:options:)``.
    /// - Returns: the room's state.
    /// - Throws: ``SwitchboardClientError/status(code:message:)`` (403 when the server's room
    ///   policy refuses, 400 for an invalid name), or any request error.
    @discardableResult
    public func join(_ room: RoomName, options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) -> RoomState {
        let response = try await request(.post, ReservedPaths.join, body: ReservedPaths.roomBody(room), options: options)
        let state = try response.decode(RoomState.self)
        core.withLock { core in
            if !core.rooms.contains(room) { core.rooms.append(room) }
        }
        return state
    }

    /// Leaves `room` (`POST /_switchboard/rooms/leave`), stops rejoining it and forgets its
    /// position (a RESUME would join it again).
    /// - Returns: whether the connection was a member.
    @discardableResult
    public func leave(_ room: RoomName, options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) -> Bool {
        core.withLock { core in
            core.rooms.removeAll { $0 == room }
            core.delivery.forget(room.rawValue)
        }
        struct Left: Decodable { var left: Bool }
        return try await request(.post, ReservedPaths.leave, body: ReservedPaths.roomBody(room), options: options).decode(Left.self).left
    }

    /// The rooms the client rejoins after a reconnect, in join order.
    public var joinedRooms: [RoomName] { core.withLock { $0.rooms } }
}
