/// Why a handshake was refused: the HTTP status and the reason sent as `{"error": reason}`.
struct HandshakeRefusal: Sendable, Hashable, Error {
    var status: Status
    var reason: String
}
