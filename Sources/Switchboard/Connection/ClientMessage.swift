/// A one-way message from a client (a `message` frame): no response is sent.
public struct ClientMessage: Sendable {
    /// A client-chosen id, for logs.
    public let id: UInt32
    /// Where the client addressed it, e.g. `/typing`.
    public let url: String
    /// The body: opaque bytes, JSON by convention.
    public let data: ArraySlice<UInt8>
    /// The connection it came from.
    public let connection: Connection
}

/// Receives the one-way messages of every connection.
///
/// Called on the connection's event loop, in the order messages arrive: return quickly, and
/// start a `Task` for slow or asynchronous work.
public typealias MessageHandler = @Sendable (ClientMessage) -> Void
