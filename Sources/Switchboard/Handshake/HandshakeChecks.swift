/// The server's own synchronous checks of a WebSocket handshake, before authentication and the
/// application's upgrade hook: path, origin, subprotocol.
enum HandshakeChecks {
    /// The refusal for `request`, or `nil` when it passes.
    static func refusal(for request: UpgradeRequest, configuration: Configuration) -> HandshakeRefusal? {
        guard request.path == configuration.webSocketPath else {
            return HandshakeRefusal(status: .notFound, reason: "no WebSocket endpoint at \(request.path); use \(configuration.webSocketPath)")
        }
        if let allowed = configuration.allowedOrigins, let origin = request.origin, !allowed.contains(origin) {
            return HandshakeRefusal(status: .forbidden, reason: "origin \(origin) is not allowed")
        }
        if configuration.rawEchoMode { return nil }
        let offered = request.offeredSubprotocols
        guard offered.contains(FrameCodec.subprotocol) else {
            let what = offered.isEmpty ? "no subprotocol" : "subprotocol(s) \(offered.joined(separator: ", "))"
            return HandshakeRefusal(status: .badRequest, reason: "client offered \(what); this server speaks Sec-WebSocket-Protocol: \(FrameCodec.subprotocol)")
        }
        return nil
    }
}
