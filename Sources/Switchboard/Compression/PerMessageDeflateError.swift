import NIOWebSocket

/// Why a compressed message from the client could not be inflated; the connection is closed
/// with ``closeCode`` and ``reason``.
enum PerMessageDeflateError: Error, Equatable {
    /// The message inflates beyond ``Configuration/maxMessageSize`` bytes: 1009.
    case messageTooLarge(limit: Int)
    /// The payload is not valid DEFLATE data: 1007.
    case corruptData

    var closeCode: WebSocketErrorCode {
        switch self {
        case .messageTooLarge: .messageTooLarge
        case .corruptData: .dataInconsistentWithMessage
        }
    }

    var reason: String {
        switch self {
        case .messageTooLarge(let limit): "message larger than \(limit) bytes once inflated"
        case .corruptData: "compressed message is not valid deflate data"
        }
    }
}
