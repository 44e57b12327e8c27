/// Where a ``SwitchboardClient``'s connection stands; observe it with ``SwitchboardClient/states``.
public enum ConnectionState: Sendable, Hashable, CustomStringConvertible {
    /// Created; ``SwitchboardClient/connect()`` has not been called. Calls are queued.
    case idle
    /// Opening the first connection. Calls are queued.
    case connecting
    /// The WebSocket is open; calls are sent at once.
    case open
    /// ``SwitchboardClient/close()`` is closing the socket. Calls fail with ``SwitchboardClientError/closed``.
    case closing
    /// Closed for good: deliberately, after a refused handshake, or with no reconnect attempts left.
    case closed
    /// The connection was lost (or could not be opened) and attempt `n` (from 1) of reopening
    /// it is waiting or under way. Calls are queued.
    case reconnecting(attempt: Int)

    /// `idle`, `connecting`, `open`, `closing`, `closed` or `reconnecting(n)`.
    public var description: String {
        switch self {
        case .idle: "idle"
        case .connecting: "connecting"
        case .open: "open"
        case .closing: "closing"
        case .closed: "closed"
        case .reconnecting(let attempt): "reconnecting(\(attempt))"
        }
    }

}
