public import NIOCore

/// Why a Redis command or connection failed.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`, a RESP3 bulk error);
    /// `message` is its text, starting with the error code.
    case server(message: String)
    /// The TCP connection to `host:port` could not be opened.
    case connectionFailed(host: String, port: Int, reason: String)
    /// The server refused the `AUTH` of the handshake; `message` is its error reply.
    case authenticationFailed(message: String)
    /// The connection is closed (by the server, by the network, by ``RedisConnection/close()``,
    /// or after a timeout or protocol error); commands waiting for replies fail with this.
    case connectionClosed(reason: String)
    /// No reply to `command` arrived within `after`; the connection is closed.
    case timeout(command: String, after: TimeAmount)
    /// The server sent bytes that are not valid RESP, or beyond a configured limit; the
    /// connection is closed.
    case protocolError(RESPParseError)
    /// The server sent a reply of an unexpected shape for `command`.
    case unexpectedReply(command: String, reply: String)
    /// `command` cannot be sent on this kind of connection (subscribing commands need a
    /// ``RedisSubscriber``; `MONITOR` is not supported).
    case commandNotAllowed(command: String, reason: String)

    /// A sentence saying what failed.
    public var description: String {
        switch self {
        case .server(let message): "Redis error reply: \(message)"
        case .connectionFailed(let host, let port, let reason): "could not connect to Redis at \(host):\(port): \(reason)"
        case .authenticationFailed(let message): "Redis refused AUTH: \(message)"
        case .connectionClosed(let reason): "the Redis connection is closed: \(reason)"
        case .timeout(let command, let after):
            "no reply to \(command) within \(after.nanoseconds / 1_000_000) ms; the connection was closed"
        case .protocolError(let error): "Redis protocol error: \(error.description)"
        case .unexpectedReply(let command, let reply): "unexpected reply to \(command): \(reply)"
        case .commandNotAllowed(let command, let reason): "\(command) cannot be sent here: \(reason)"
        }
    }
}
