/// What a transport (the WebSocket server, a test harness) implements so pushes reach sockets.
///
/// The whole contract: for each delivery, write `bytes` as one binary WebSocket message to
/// every recipient, using the recipient's handle (the value the transport gave
/// ``ConnectionRegistry/add(id:handle:clientId:userId:isActive:expiresAt:)``). The same `bytes` array
/// goes to every recipient of a delivery: share it (e.g. one `ByteBuffer` per delivery), do
/// not copy it per recipient. Group recipients by event loop and write with one task per
/// loop. Must not block; a connection that has closed meanwhile is skipped silently (the
/// registry prunes it on its next push).
public protocol PushTransport<Handle>: Sendable {
    /// The transport's per-connection handle.
    associatedtype Handle: Sendable

    /// Writes each delivery's bytes to each of its recipients.
    func deliver(_ deliveries: [PushDelivery<Handle>])
}
