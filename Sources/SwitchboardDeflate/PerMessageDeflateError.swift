import NIOWebSocket

/// Why a compressed message from the peer could not be inflated; the connection is closed
/// with ``closeCode`` and ``reason``.
package enum PerMessageDeflateError: Error, Equatable {
    /// The message inflates beyond the connection's largest message size: 1009.
    case messageTooLarge(limit: Int)
    /// The payload is not valid DEFLATE data: 1007.
    case corruptData

    /// The close code the connection is failed with.
    package var closeCode: WebSocketErrorCode {
        switch self {
        case .messageTooLarge: .messageTooLarge
        case .corruptData: .dataInconsistentWithMessage
        }
    }

    /// The close reason, in words.
    package var reason: String {
        switch self {
        case .messageTooLarge(let limit): "message larger than \(limit) bytes once inflated"
        case .corruptData: "compressed message is not valid deflate data"
        }
    }
}
