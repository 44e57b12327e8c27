/// Per-call settings of a request or message; the defaults come from ``ClientConfiguration``.
public struct RequestOptions: Sendable, Hashable {
    /// How long to wait for the response once written; `nil` for
    /// ``ClientConfiguration/requestTimeout``.
    public var timeout: Duration?
    /// How long to wait in the send queue while the socket is not open; `nil` for
    /// ``ClientConfiguration/queueTimeout``.
    public var queueTimeout: Duration?
    /// Whether the call waits in the send queue while the client is connecting or reconnecting
    /// (the default); when `false` it fails at once with ``SwitchboardClientError/notConnected``.
    public var queueWhileDisconnected: Bool
    /// The request's idempotency key, sent as the query item `idempotencyKey`; `nil` lets POST
    /// and PATCH get a random one (see ``ClientConfiguration/automaticIdempotencyKeys``). A
    /// request with a key is replayed after a reconnect, and a server that installs the
    /// `Idempotency` middleware answers a repeat with the first answer.
    public var idempotencyKey: String?

    /// Options; every `nil` takes the configuration's value.
    public init(timeout: Duration? = nil, queueTimeout: Duration? = nil, queueWhileDisconnected: Bool = true, idempotencyKey: String? = nil) {
        self.timeout = timeout
        self.queueTimeout = queueTimeout
        self.queueWhileDisconnected = queueWhileDisconnected
        self.idempotencyKey = idempotencyKey
    }
}
