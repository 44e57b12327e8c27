import NIOCore

/// Where the load goes: a `ws://` url on a loopback host.
///
/// The tool refuses anything else so that a mistyped url never turns it against a machine
/// that did not ask for the traffic.
struct LoadTarget: Sendable, CustomStringConvertible {
    /// The host as written in the url (`127.0.0.1`, `localhost`, `[::1]` without brackets).
    let host: String
    /// The TCP port.
    let port: Int
    /// The HTTP path of the WebSocket handshake, e.g. `/ws`.
    let path: String

    /// Why a url was refused.
    enum Refusal: Error, CustomStringConvertible {
        case notWebSocketURL(String)
        case badPort(String)
        case notLoopback(String)

        var description: String {
            switch self {
            case .notWebSocketURL(let url): "not a ws:// url: \(url) (expected e.g. ws://127.0.0.1:8080/ws)"
            case .badPort(let url): "no valid port in \(url)"
            case .notLoopback(let host): "refusing non-loopback host \(host): this tool only loads 127.0.0.0/8, ::1 or localhost"
            }
        }
    }

    /// Parses `ws://host:port/path` and checks that the host is a loopback address.
    init(url: String) throws(Refusal) {
        guard url.hasPrefix("ws://") else { throw .notWebSocketURL(url) }
        let rest = url.dropFirst("ws://".count)
        let authority: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = String(rest[slash...])
        } else {
            authority = rest
            path = "/"
        }
        let hostPart: Substring
        let portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .notWebSocketURL(url) }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            portPart = after.hasPrefix(":") ? after.dropFirst() : nil
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portPart = nil
        }
        guard let portText = portPart, let port = Int(portText), (1...65535).contains(port) else { throw .badPort(url) }
        host = String(hostPart)
        self.port = port
        guard Self.isLoopback(host) else { throw .notLoopback(host) }
    }

    /// Whether `host` names the loopback interface: `localhost`, `127.x.y.z` or `::1`.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        guard let address = try? SocketAddress(ipAddress: host, port: 0) else { return false }
        switch address {
        case .v4(let v4):
            return UInt32(bigEndian: v4.address.sin_addr.s_addr) >> 24 == 127
        case .v6:
            return host == "::1" || host == "0:0:0:0:0:0:0:1"
        case .unixDomainSocket:
            return false
        }
    }

    /// The address to connect to (`localhost` resolves to 127.0.0.1).
    func socketAddress() throws -> SocketAddress {
        try SocketAddress(ipAddress: host == "localhost" ? "127.0.0.1" : host, port: port)
    }

    var description: String {
        host.contains(":") ? "ws://[\(host)]:\(port)\(path)" : "ws://\(host):\(port)\(path)"
    }
}
