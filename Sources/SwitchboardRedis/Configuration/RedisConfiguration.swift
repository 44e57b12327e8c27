public import NIOCore

/// Every setting and limit of a ``RedisConnection`` or ``RedisSubscriber``, with documented
/// defaults.
///
/// Durations are `TimeAmount`s, sizes are bytes.
public struct RedisConfiguration: Sendable {
    /// The protocol a connection asks the server for.
    public enum ProtocolVersion: Sendable, Equatable {
        /// RESP2: every server speaks it; no `HELLO` is sent.
        case resp2
        /// RESP3: the connection sends `HELLO 3`; a server that refuses it (before Redis 6)
        /// leaves the connection on RESP2, readable from ``RedisConnection/protocolVersion``.
        case resp3
    }

    /// Limits on what a reply may contain. A reply beyond one is a protocol error
    /// (``RESPParseError``) and closes the connection.
    public struct ReplyLimits: Sendable, Equatable {
        /// The longest bulk string, bulk error or verbatim string. Default 512 MiB, the largest
        /// value Redis stores (its `proto-max-bulk-len`).
        public var maxBulkLength: Int = 512 << 20
        /// The longest line (simple string, error, integer, double, big number, or a length
        /// header), without its CRLF. Default 64 KiB.
        public var maxLineLength: Int = 64 << 10
        /// How deeply aggregates (arrays, maps, sets, pushes, attributes) may nest; the top-level
        /// aggregate is depth 1. Default 64.
        public var maxNestingDepth: Int = 64
        /// The most elements of one array, set or push, or entries of one map or attribute.
        /// Default 16,777,216.
        public var maxAggregateCount: Int = 1 << 24
        /// Whether RESP3 attribute maps are kept (``RESPValue/attributed(attributes:value:)``)
        /// or skipped, leaving only the value they annotate. Default `false` (skipped).
        public var keepsAttributes: Bool = false

        /// The default limits.
        public init() {}
    }

    /// How a ``RedisSubscriber`` waits between attempts to reconnect: the first wait is
    /// ``initialDelay``, each next one ``multiplier`` times longer, never more than ``maxDelay``.
    public struct ReconnectBackoff: Sendable, Equatable {
        /// The wait before the first attempt. Default 100 ms.
        public var initialDelay: TimeAmount = .milliseconds(100)
        /// The longest wait between attempts. Default 5 s.
        public var maxDelay: TimeAmount = .seconds(5)
        /// The factor between consecutive waits. Default 2.
        public var multiplier: Double = 2

        /// The default backoff.
        public init() {}

        /// The wait before attempt `attempt` (0 for the first).
        public func delay(beforeAttempt attempt: Int) -> TimeAmount {
            let grown = Double(initialDelay.nanoseconds) * Self.power(multiplier, max(attempt, 0))
            return grown >= Double(maxDelay.nanoseconds) ? maxDelay : .nanoseconds(Int64(grown))
        }

        private static func power(_ base: Double, _ exponent: Int) -> Double {
            var result = 1.0
            for _ in 0..<min(exponent, 64) { result *= base }
            return result
        }
    }

    /// The server's host name or address. Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// The server's port. Default `6379`.
    public var port: Int = 6379
    /// The user for `AUTH`; `nil` authenticates as the default user. Default `nil`.
    public var username: String? = nil
    /// The password for `AUTH`; `nil` sends no `AUTH`. Default `nil`.
    public var password: String? = nil
    /// The database to `SELECT` after connecting. Default 0 (no `SELECT` is sent).
    public var database: Int = 0
    /// The protocol to ask for. Default ``ProtocolVersion/resp2``.
    public var protocolVersion: ProtocolVersion = .resp2
    /// How long connecting (TCP connect and the `AUTH`/`HELLO`/`SELECT` handshake) may take.
    /// Default 5 s.
    public var connectTimeout: TimeAmount = .seconds(5)
    /// How long a command (or a pipelined batch) may wait for its replies; then it fails with
    /// ``RedisError/timeout(command:after:)`` and the connection is closed, because a reply
    /// arriving later could no longer be matched to its command. `nil` waits forever (for a
    /// connection that runs blocking commands such as `BLPOP 0`). Default 5 s.
    public var commandTimeout: TimeAmount? = .seconds(5)
    /// How often a ``RedisSubscriber`` sends `PING`, to find a connection that died without
    /// closing (a vanished host, a silent network): a `PING` without a reply within
    /// ``commandTimeout`` closes the connection, and the subscriber reconnects. `nil` never
    /// pings. Default 10 s.
    public var subscriberPingInterval: TimeAmount? = .seconds(10)
    /// Limits on replies.
    public var replyLimits = ReplyLimits()
    /// How a ``RedisSubscriber`` waits between reconnect attempts.
    public var reconnectBackoff = ReconnectBackoff()

    /// The default configuration: `127.0.0.1:6379`, no authentication, database 0, RESP2.
    public init() {}

    /// A configuration for `host:port` with every other setting at its default.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
