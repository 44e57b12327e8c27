#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Why a ``Server`` could not serve.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    /// `run()` was called on a server that already ran.
    case alreadyStarted
    /// The server stopped before it listened, or has stopped.
    case stopped
    /// `run()` could not listen on `host`:`port` (e.g. the port is taken, or the host is not
    /// an address of this machine); `reason` is the system's explanation.
    case cannotListen(host: String, port: Int, reason: String)
    /// ``Configuration/tls`` could not be turned into a TLS context (e.g. the private key does
    /// not match the certificate); `reason` is NIOSSL's explanation.
    case invalidTLSConfiguration(reason: String)

    /// What went wrong, and what to do.
    public var description: String {
        switch self {
        case .alreadyStarted: "the server has already been started; create a new Server to serve again"
        case .stopped: "the server is not running"
        case .cannotListen(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        case .invalidTLSConfiguration(let reason): "invalid TLS configuration: \(reason)"
        }
    }

    /// The ``cannotListen(host:port:reason:)`` for a bind that failed with `error`: the system
    /// error's text, with a hint when the port is taken.
    static func listenFailure(host: String, port: Int, error: any Error) -> ServerError {
        guard let error = error as? IOError else {
            return .cannotListen(host: host, port: port, reason: "\(error)")
        }
        let text = String(cString: strerror(error.errnoCode)).lowercased()
        switch error.errnoCode {
        case EADDRINUSE:
            return .cannotListen(host: host, port: port, reason: "\(text) (another process listens on that port)")
        case EADDRNOTAVAIL:
            return .cannotListen(host: host, port: port, reason: "\(text) (\(host) is not an address of this machine)")
        case EACCES:
            return .cannotListen(host: host, port: port, reason: "\(text) (ports below 1024 need privileges)")
        default:
            return .cannotListen(host: host, port: port, reason: text)
        }
    }
}
