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
        guard keys.count == 1, isNonce(keys[0]) else {
            return HandshakeRefusal(status: .badRequest, reason: "a WebSocket handshake needs exactly one Sec-WebSocket-Key: 16 random bytes, base64-encoded")
        }
        return nil
    }

    /// Whether `key` is the base64 form of 16 bytes: 22 characters of the base64 alphabet (the
    /// last of them carrying 2 bits, so one of `A`, `Q`, `g`, `w`) and `==`.
    static func isNonce(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard bytes.count == 24, bytes[22] == UInt8(ascii: "="), bytes[23] == UInt8(ascii: "=") else { return false }
        for byte in bytes[..<22] {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "+"), UInt8(ascii: "/"):
                continue
            default:
                return false
            }
        }
        return [UInt8(ascii: "A"), UInt8(ascii: "Q"), UInt8(ascii: "g"), UInt8(ascii: "w")].contains(bytes[21])
    }

    /// The refusal for `request`'s endpoint, or `nil` when it passes: a path other than the
    /// WebSocket path (404), no `switchboard.v1` among the offered subprotocols (400), a
    /// ``RefusalByClose`` query parameter of an unknown value (400).
    static func endpointRefusal(for request: UpgradeRequest, configuration: Configuration) -> HandshakeRefusal? {
        guard request.path == configuration.webSocketPath else {
            return HandshakeRefusal(status: .notFound, reason: "no WebSocket endpoint at \(request.path); use \(configuration.webSocketPath)")
        }
        if !configuration.rawEchoMode {
            let offered = request.offeredSubprotocols
            guard offered.contains(FrameCodec.subprotocol) else {
                let what = offered.isEmpty ? "no subprotocol" : "subprotocol(s) \(offered.joined(separator: ", "))"
                return HandshakeRefusal(status: .badRequest, reason: "client offered \(what); this server speaks Sec-WebSocket-Protocol: \(FrameCodec.subprotocol)")
            }
        }
        if case .failure(let refusal) = RefusalByClose.isRequested(by: request) { return refusal }
        return nil
    }

    /// The refusal for `request`'s origin, or `nil` when it passes: while
    /// ``Configuration/allowedOrigins`` is set, more than one `Origin` header or one outside the
    /// list (403).
    static func originRefusal(for request: UpgradeRequest, configuration: Configuration) -> HandshakeRefusal? {
        guard let allowed = configuration.allowedOrigins else { return nil }
        let origins = request.headers["Origin"]
        guard origins.count <= 1 else {
            return HandshakeRefusal(status: .forbidden, reason: "more than one Origin header")
        }
        if let origin = origins.first, !allowed.contains(origin) {
            return HandshakeRefusal(status: .forbidden, reason: "origin \(origin) is not allowed")
        }
        return nil
    }
}
