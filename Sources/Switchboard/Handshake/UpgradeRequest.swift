import NIOCore
import NIOHTTP1

/// The HTTP request that asks to open a WebSocket, as the upgrade hook sees it.
public struct UpgradeRequest: Sendable {
    /// The request path, percent-encoded, without the query (e.g. `/ws`).
    public let path: String
    /// The query's parameters, percent-decoded; the first value wins for a repeated name.
    public let query: [String: String]
    /// Every request header.
    public let headers: HTTPHeaders
    /// The cookies of the `Cookie` header(s).
    public let cookies: [String: String]
    /// The peer's address, when known.
    public let remoteAddress: SocketAddress?
    /// The identity established by the server's ``TokenAuthentication``, if configured and a
    /// valid token was presented.
    public internal(set) var identity: Identity?

    /// A request as parsed from an HTTP request head.
    public init(head: HTTPRequestHead, remoteAddress: SocketAddress?) {
        let (path, query) = Self.split(head.uri)
        self.path = path
        self.query = query
        self.headers = head.headers
        self.cookies = Self.cookies(head.headers)
        self.remoteAddress = remoteAddress
        self.identity = nil
    }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? { headers.first(name: name) }

    /// The browser's `Origin` header, if any.
    public var origin: String? { header("Origin") }

    /// The bearer token, looked up in order in the `Authorization: Bearer …` header, the
    /// `token` query parameter and the `token` cookie.
    public var bearerToken: String? {
        if let authorization = header("Authorization") {
            let prefix = "bearer "
            if authorization.count > prefix.count, authorization.lowercased().hasPrefix(prefix) {
                let token = authorization.dropFirst(prefix.count).trimmingSpaces()
                if !token.isEmpty { return token }
            }
        }
        if let token = query["token"], !token.isEmpty { return token }
        if let token = cookies["token"], !token.isEmpty { return token }
        return nil
    }

    /// The WebSocket subprotocols the client offers, in its order of preference.
    public var offeredSubprotocols: [String] {
        headers[canonicalForm: "Sec-WebSocket-Protocol"].map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    static func split(_ uri: String) -> (path: String, query: [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(parts[0].utf8, plusAsSpace: true) ?? String(parts[0])
            let value = parts.count > 1 ? PercentEncoding.decode(parts[1].utf8, plusAsSpace: true) ?? String(parts[1]) : ""
            if query[name] == nil { query[name] = value }
        }
        return (String(uri[..<mark]), query)
    }

    static func cookies(_ headers: HTTPHeaders) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in headers[canonicalForm: "Cookie"] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0]).trimmingSpaces()
                guard !name.isEmpty, cookies[name] == nil else { continue }
                var value = parts.count > 1 ? String(parts[1]).trimmingSpaces() : ""
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                cookies[name] = value
            }
        }
        return cookies
    }
}

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// The string without the spaces and tabs at its ends.
    func trimmingSpaces() -> String {
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") {
            start = bytes.index(after: start)
        }
        while start < end {
            let last = bytes.index(before: end)
            guard bytes[last] == UInt8(ascii: " ") || bytes[last] == UInt8(ascii: "\t") else { break }
            end = last
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
