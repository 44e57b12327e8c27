/// Why a ``Server`` could not serve.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    /// `run()` was called on a server that already ran.
    case alreadyStarted
    /// The server stopped before it listened, or has stopped.
    case stopped

    /// What went wrong, and what to do.
    public var description: String {
        switch self {
        case .alreadyStarted: "the server has already been started; create a new Server to serve again"
        case .stopped: "the server is not running"
        }
    }
}
