/// Why a ``SwitchboardClient`` call failed.
public enum SwitchboardClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No response arrived within the call's timeout after the request was written.
    case timedOut
    /// The server answered with an error status (400 or above), or a non-2xx status where a
    /// success was required (``ClientResponse/decode(_:)``, ``SwitchboardClient/call(_:params:query:body:options:)``).
    /// `message` is the body's `"error"` member, else the body as text.
    case status(code: Int, message: String)
    /// The connection dropped while the request was in flight, and the request could not be
    /// replayed (it is not idempotent and carries no idempotency key).
    case connectionLost
    /// The server refused the WebSocket upgrade: its HTTP status and the `"error"` reason of its
    /// JSON body.
    case handshakeRefused(status: Int, reason: String)
    /// The client was closed deliberately with ``SwitchboardClient/close()``.
    case closed
    /// The socket was not open and the send queue already held its maximum
    /// (``ClientConfiguration/maxQueuedItems``).
    case queueFull
    /// The item waited this many milliseconds in the send queue without the socket opening.
    case queueTimedOut(Int)
    /// The socket was not open and the call asked not to be queued (``RequestOptions/queueWhileDisconnected``).
    case notConnected
    /// The connection could not be opened and the ``ReconnectPolicy`` allows no more attempts;
    /// the text is the last failure.
    case connectionFailed(String)
    /// The TLS handshake of a `wss://` connection failed: the text says why (the server's
    /// certificate is not trusted, is not valid for the host, …). Raised when the
    /// ``ReconnectPolicy`` allows no more attempts, like ``connectionFailed(_:)``.
    case tlsHandshakeFailed(String)
    /// ``ClientConfiguration/tls`` cannot be used (an unreadable certificate authority file,
    /// an invalid NIOSSL configuration); the text says why.
    case invalidTLSConfiguration(String)
    /// The request could not be encoded (e.g. an invalid url or room name); the text says why.
    case invalidRequest(String)
    /// A body did not decode as the expected type; the text is the decoder's explanation.
    case decodingFailed(String)
    /// The calling task was cancelled before the answer arrived.
    case cancelled

    /// What happened, in words.
    public var description: String {
        switch self {
        case .timedOut: "the request timed out waiting for its response"
        case .status(let code, let message): "the server answered \(code): \(message)"
        case .connectionLost: "the connection was lost while the request was in flight (not replayable)"
        case .handshakeRefused(let status, let reason): "the server refused the WebSocket handshake with \(status): \(reason)"
        case .closed: "the client was closed"
        case .queueFull: "the send queue is full while the socket is not open"
        case .queueTimedOut(let milliseconds): "the socket did not open within \(milliseconds) ms while the item was queued"
        case .notConnected: "the socket is not open and queuing was turned off for this call"
        case .connectionFailed(let reason): "could not connect, no attempts left: \(reason)"
        case .tlsHandshakeFailed(let reason): "the TLS handshake failed, no attempts left: \(reason)"
        case .invalidTLSConfiguration(let reason): "invalid TLS configuration: \(reason)"
        case .invalidRequest(let reason): "invalid request: \(reason)"
        case .decodingFailed(let reason): "the body did not decode: \(reason)"
        case .cancelled: "the calling task was cancelled"
        }
    }
}
