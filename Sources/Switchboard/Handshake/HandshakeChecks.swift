import Foundation
import NIOHTTP1

/// The server's own synchronous checks of a WebSocket handshake, before capacity,
/// authentication and the application's upgrade hook: first the request's form as RFC 6455
/// requires it (``protocolRefusal(for:)``), then path, origin and subprotocol
/// (``refusal(for:configuration:)``).
enum HandshakeChecks {
    /// The WebSocket version this server speaks, sent back in `Sec-WebSocket-Version` when a
    /// client asks for another.
    static let webSocketVersion = "13"
    /// 426 Upgrade Required (a code with a status byte, so never the fallback).
    private static let upgradeRequired = Status(code: 426) ?? .badRequest

    /// The refusal for an upgrade request whose form breaks RFC 6455 §4.2.1, or `nil`: not a
    /// `GET` of HTTP/1.1 or later, no `upgrade` token in `Connection`, not exactly one
    /// `Sec-WebSocket-Key` of 16 base64-encoded bytes (400); not exactly one
    /// `Sec-WebSocket-Version: 13` (426, naming the version).
    static func protocolRefusal(for head: HTTPRequestHead) -> HandshakeRefusal? {
        guard head.method == .GET else {
            return HandshakeRefusal(status: .badRequest, reason: "a WebSocket handshake must be a GET request, not \(head.method.rawValue)")
        }
        guard head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1) else {
            return HandshakeRefusal(status: .badRequest, reason: "a WebSocket handshake needs HTTP/1.1, not HTTP/\(head.version.major).\(head.version.minor)")
        }
        let connection = head.headers[canonicalForm: "Connection"].map { $0.lowercased() }
        guard connection.contains("upgrade") else {
            return HandshakeRefusal(status: .badRequest, reason: "a WebSocket handshake needs the header Connection: Upgrade")
        }
        let versions = head.headers["Sec-WebSocket-Version"].map { $0.trimmingSpaces() }
        guard versions == [webSocketVersion] else {
            let asked = versions.isEmpty ? "no Sec-WebSocket-Version" : "Sec-WebSocket-Version: \(versions.joined(separator: ", "))"
            return HandshakeRefusal(
                status: upgradeRequired,
                reason: "unsupported WebSocket version (\(asked)); this server speaks Sec-WebSocket-Version: \(webSocketVersion)",
                headers: ["Sec-WebSocket-Version": webSocketVersion]
            )
        }
        let keys = head.headers["Sec-WebSocket-Key"].map { $0.trimmingSpaces() }
        guard keys.count == 1, let key = Data(base64Encoded: keys[0]), key.count == 16 else {
            return HandshakeRefusal(status: .badRequest, reason: "a WebSocket handshake needs exactly one Sec-WebSocket-Key: 16 random bytes, base64-encoded")
        }
        return nil
    }

    /// The refusal for `request`, or `nil` when it passes: a path other than the WebSocket path
    /// (404), an origin outside ``Configuration/allowedOrigins`` or more than one `Origin` header
    /// while the allow-list is set (403), no `switchboard.v1` among the offered subprotocols (400).
    static func refusal(for request: UpgradeRequest, configuration: Configuration) -> HandshakeRefusal? {
        guard request.path == configuration.webSocketPath else {
            return HandshakeRefusal(status: .notFound, reason: "no WebSocket endpoint at \(request.path); use \(configuration.webSocketPath)")
        }
        if let allowed = configuration.allowedOrigins {
            let origins = request.headers["Origin"]
            guard origins.count <= 1 else {
                return HandshakeRefusal(status: .forbidden, reason: "more than one Origin header")
            }
            if let origin = origins.first, !allowed.contains(origin) {
                return HandshakeRefusal(status: .forbidden, reason: "origin \(origin) is not allowed")
            }
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
