/// Why a handshake was refused: the HTTP status, the reason sent as `{"error": reason}`, and
/// any headers the answer must carry (e.g. `Sec-WebSocket-Version` with a 426).
struct HandshakeRefusal: Sendable, Hashable, Error {
    var status: Status
    var reason: String
    var headers: [String: String] = [:]
}
