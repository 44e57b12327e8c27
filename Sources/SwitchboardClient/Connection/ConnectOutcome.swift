import NIOCore

/// How one connection attempt ended.
enum ConnectOutcome: Sendable {
    /// The WebSocket is open.
    case open(any Channel)
    /// The server answered the upgrade with an HTTP status and no WebSocket.
    case refused(status: Int, reason: String)
    /// No answer: connect failure, timeout, TLS failure or a protocol mistake: the error the
    /// client ends with when no attempts are left (``SwitchboardClientError/connectionFailed(_:)``
    /// or ``SwitchboardClientError/tlsHandshakeFailed(_:)``).
    case failed(SwitchboardClientError)
}

/// What the upgrade step of the pipeline produced.
enum UpgradeResult: Sendable {
    /// Switched protocols; the frame pipeline is installed.
    case upgraded
    /// Switched protocols without selecting the offered subprotocol (or selecting one when none
    /// was offered).
    case wrongSubprotocol(String?)
    /// Switched protocols with a `Sec-WebSocket-Extensions` answer the client cannot accept: the
    /// connection is to be failed with a close frame with `code`; `reason` says why.
    case extensionRefused(reason: String, code: UInt16)
    /// Not upgraded: the refused answer, once its body is read.
    case notUpgraded(EventLoopFuture<(status: Int, reason: String)>)
}
