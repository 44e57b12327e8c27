import NIOCore

/// How one connection attempt ended.
enum ConnectOutcome: Sendable {
    /// The WebSocket is open.
    case open(any Channel)
    /// The server answered the upgrade with an HTTP status and no WebSocket.
    case refused(status: Int, reason: String)
    /// No answer: connect failure, timeout, or a protocol mistake; the text says which.
    case failed(String)
}

/// What the upgrade step of the pipeline produced.
enum UpgradeResult: Sendable {
    /// Switched protocols; the frame pipeline is installed.
    case upgraded
    /// Switched protocols without selecting the offered subprotocol (or selecting one when none
    /// was offered).
    case wrongSubprotocol(String?)
    /// Not upgraded: the refused answer, once its body is read.
    case notUpgraded(EventLoopFuture<(status: Int, reason: String)>)
}
