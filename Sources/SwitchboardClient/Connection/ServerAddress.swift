/// The parts of a `ws://host:port/path?query` url a connection needs.
struct ServerAddress: Sendable, Hashable {
    var host: String
    var port: Int
    /// Path and query sent in the upgrade request, e.g. `/ws?features=presence@a:b:c`.
    var target: String

    /// Parses `url`; only `ws://` is supported (no TLS).
    init(_ url: String) throws(SwitchboardClientError) {
        guard url.hasPrefix("ws://") else {
            throw .invalidRequest("the url must start with ws:// (wss:// is not supported): \(url)")
        }
        let rest = url.dropFirst("ws://".count)
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<slash]
        let target = String(rest[slash...])
        self.target = target.isEmpty ? "/" : (target.hasPrefix("?") ? "/" + target : target)
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = try Self.port(after.hasPrefix(":") ? after.dropFirst() : nil, in: url)
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = try Self.port(authority[authority.index(after: colon)...], in: url)
        } else {
            host = String(authority)
            port = 80
        }
        guard !host.isEmpty else { throw .invalidRequest("the url has no host: \(url)") }
    }

    private static func port(_ text: Substring?, in url: String) throws(SwitchboardClientError) -> Int {
        guard let text else { return 80 }
        guard let port = Int(text), (1...65535).contains(port) else {
            throw .invalidRequest("invalid port in \(url)")
        }
        return port
    }

    /// The `Host` header value.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }
}
