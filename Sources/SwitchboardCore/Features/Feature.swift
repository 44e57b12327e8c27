/// A feature plugin (chat, presence, notifications…): hooks run when a
/// connection opens the feature on a stream, sends it a message, and closes.
///
/// Hooks do not touch sockets: they return ``FeatureAction``s (join or leave a room, push a
/// message), which ``FeatureSet/perform(_:with:)`` carries out through the same rooms and push
/// path as everything else. Hooks run on the connection's event loop: keep them short and
/// synchronous; keep shared state behind a `Mutex`.
public protocol Feature: Sendable {
    /// The name clients ask for at the handshake, e.g. `presence`.
    var name: String { get }

    /// A connection opened the feature on a stream (after the handshake).
    func open(_ session: FeatureSession) -> [FeatureAction]

    /// The connection sent the feature a message on the stream.
    func message(_ body: ArraySlice<UInt8>, in session: FeatureSession) -> [FeatureAction]

    /// The connection closed (it is already out of every room).
    func close(_ session: FeatureSession) -> [FeatureAction]
}

extension Feature {
    /// Ignores messages.
    public func message(_ body: ArraySlice<UInt8>, in session: FeatureSession) -> [FeatureAction] { [] }

    /// Does nothing on close.
    public func close(_ session: FeatureSession) -> [FeatureAction] { [] }
}

/// One connection's use of one feature on one stream.
public struct FeatureSession: Sendable {
    /// The connection.
    public let connection: any ConnectionContext
    /// The stream the feature serves for it.
    public let stream: StreamName

    /// A session.
    public init(connection: any ConnectionContext, stream: StreamName) {
        self.connection = connection
        self.stream = stream
    }
}

/// Something a feature hook asks the server to do.
public enum FeatureAction: Sendable {
    /// Put the session's connection in a room.
    case join(RoomName, ConnectionID)
    /// Take the connection out of a room.
    case leave(RoomName, ConnectionID)
    /// Push a message.
    case push(PushMessage, to: PushTarget)
}
