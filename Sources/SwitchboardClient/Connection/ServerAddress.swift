/// The parts of a `ws://` or `wss://host:port/path?query` url a connection needs.
struct ServerAddress: Sendable, Hashable {
    var host: String
    var port: Int
    /// Path and query sent in the upgrade request, e.g. `/ws?features=presence@a:b:c`.
    var target: String
    /// `wss://`: the connection runs over TLS (``ClientConfiguration/tls``).
    var isSecure: Bool

    /// Parses `url`: `ws://` (port 80 unless given) or `wss://` (port 443 unless given).
    init(_ url: String) throws(SwitchboardClientError) {
        isSecure = url.hasPrefix("wss://")
        guard isSecure || url.hasPrefix("ws://") else {
            throw .invalidRequest("the url must start with ws:// or wss://: \(url)")
        }
        let scheme = isSecure ? "wss://" : "ws://"
        let defaultPort = isSecure ? 443 : 80
        let rest = url.dropFirst(scheme.count)
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<slash]
        let target = String(rest[slash...])
        self.target = target.isEmpty ? "/" : (target.hasPrefix("?") ? "/" + target : target)
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = try Self.port(after.hasPrefix(":") ? after.dropFirst() : nil, default: defaultPort, in: url)
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = try Self.port(authority[authority.index(after: colon)...], default: defaultPort, in: url)
        } else {
            host = String(authority)
            port = defaultPort
        }
        guard !host.isEmpty else { throw .invalidRequest("the url has no host: \(url)") }
    }

    private static func port(_ text: Substring?, default defaultPort: Int, in url: String) throws(SwitchboardClientError) -> Int {
        guard let text else { return defaultPort }
        guard let port = Int(text), (1...65535).contains(port) else {
            throw .invalidRequest("invalid port in \(url)")
        }
        return port
    }

    /// The `Host` header value (the port left out when it is the scheme's default).
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (isSecure ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// Whether ``host`` is an IPv4 or IPv6 address rather than a name.
    var hostIsIPAddress: Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in UInt8(part).map { _ in !part.isEmpty } ?? false }
    }
}
