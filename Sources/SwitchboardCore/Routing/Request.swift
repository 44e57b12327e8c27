import Foundation

/// One request as handlers and middleware see it.
///
/// A value, cheap to copy; what middleware learns (``identity``, ``storage``) lives in state
/// shared by every copy of the request while it is routed, so a middleware can set
/// `req.identity` on the `req` it was given and the handler reads it.
public struct Request: Sendable {
    /// The request method. HEAD stays HEAD when a GET route answers it.
    public let method: Method
    /// The url as received: percent-encoded path and optional `?query`.
    public let url: String
    /// The body bytes (JSON by convention; see ``decode(_:)``).
    public let body: ArraySlice<UInt8>
    /// The request id from the frame; the reply carries it back.
    public let id: UInt32
    /// The connection the request came from.
    public let connection: any ConnectionContext

    /// The values of the matched route's `:name`, `*` and `**` segments.
    public internal(set) var params = Parameters()

    /// How many leading path segments belong to the prefix where the current router is
    /// mounted (0 at the root).
    var mountDepth = 0
    /// The routing state shared by the copies of this request, set by the router.
    var exchange: Exchange?

    /// A request, as built by a transport from a request frame.
    public init(method: Method, url: String, body: ArraySlice<UInt8>, id: UInt32, connection: any ConnectionContext) {
        self.method = method
        self.url = url
        self.body = body
        self.id = id
        self.connection = connection
    }

    /// The path as received (still percent-encoded), without the query.
    public var originalPath: Substring {
        let utf8 = url.utf8
        let end = utf8.firstIndex(of: UInt8(ascii: "?")) ?? utf8.endIndex
        return url[..<end]
    }

    /// The path relative to where the handling router is mounted (Express's `req.path`):
    /// `/7` for `/users/7` in a router mounted at `/users`; `/` when nothing is left.
    /// Equal to ``originalPath`` outside mounted routers.
    public var path: Substring {
        let full = originalPath
        guard mountDepth > 0 else { return full }
        let utf8 = full.utf8
        var index = utf8.startIndex
        if index < utf8.endIndex && utf8[index] == UInt8(ascii: "/") { index = utf8.index(after: index) }
        for skipped in 1...mountDepth {
            while index < utf8.endIndex && utf8[index] != UInt8(ascii: "/") { index = utf8.index(after: index) }
            if skipped < mountDepth && index < utf8.endIndex { index = utf8.index(after: index) }
        }
        return index < utf8.endIndex ? full[index...] : "/"
    }

    /// The query string's items, parsed when read.
    public var query: Query { Query(url: url) }

    /// Who sent the request: the identity middleware set for this request (e.g. the bearer
    /// auth middleware), else the connection's identity from the handshake, else `nil`.
    public var identity: Identity? {
        get {
            let own = exchange?.withLock { state in state.hasIdentity ? .some(state.identity) : .none }
            return own ?? connection.identity
        }
        nonmutating set {
            exchange?.withLock { state in
                state.identity = newValue
                state.hasIdentity = true
            }
        }
    }

    /// Typed per-request storage for what middleware learns: `req.storage[Key.self]`.
    public var storage: RequestStorage { RequestStorage(exchange: exchange) }

    /// The identity of who sent the request (see ``identity``), or a 401 ``HTTPError``
    /// (`authentication required`) when there is none, so handlers need no unwrapping.
    public func requireIdentity() throws(HTTPError) -> Identity {
        guard let identity else { throw HTTPError(.unauthorized, "authentication required") }
        return identity
    }

    /// The body decoded from JSON, or a 400 ``HTTPError`` saying what failed and where:
    /// `the request body is not a valid NewTodo: ` then one of `missing field "title"`,
    /// `field "a.b": expected Int`, `field "a.b": expected String, found null`,
    /// `field "state": <the decoder's description>`, or `invalid JSON: <the parser's words,
    /// with the position>` (`invalid JSON: Invalid value around character 10`). Paths join
    /// keys with `.` and show array positions as `items[2]`.
    public func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws(HTTPError) -> Value {
        let data = Data(body)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw HTTPError(.badRequest, "the request body is not a valid \(Value.self): \(BodyDecodingFailure.reason(for: error, body: data))")
        }
    }

    /// This request as seen by a router mounted `depth` segments deep.
    func mounted(at depth: Int) -> Request {
        guard depth != mountDepth else { return self }
        var copy = self
        copy.mountDepth = depth
        return copy
    }
}
