/// A route declared once as a value — method, absolute path pattern, request body and reply
/// types — so the server that handles it and the client that calls it agree.
///
/// ```swift
/// enum API {
///     static let getBoard = Route<Empty, Board>.get("/api/boards/:id")
///     static let createBoard = Route<NewBoard, Board>.post("/api/boards", successStatus: .created)
/// }
/// router.register(API.getBoard) { req, _ in try boards.find(req.params.require("id", as: Int.self)) }
/// router.group("/api") { api in api.register(API.createBoard) { _, new in boards.add(new) } }
/// let url = try API.getBoard.url(params: ["id": "7"])          // "/api/boards/7", for clients
/// ```
///
/// - `Body` is the **request body**, decoded from JSON before the handler runs (a 400 naming
///   the failing field when it does not decode). Path parameters are not part of it: read them
///   with `req.params` (`try req.params.require("id", as: Int.self)`). GET and DELETE routes
///   have no body: ``get(_:successStatus:)`` and ``delete(_:successStatus:)`` exist only for
///   `Route<Empty, Output>`, so `Route<Int, Todo>.get("/todos/:id")` does not compile.
///   ``Empty`` as a body accepts any body without reading it.
/// - `Output` is the reply, sent as JSON with ``successStatus``.
/// - ``path`` is **absolute**: the url a client calls, and the one ``url(params:query:)``
///   builds. Registered on the root router, the route answers at `path`. Registered inside
///   `router.group("/api") { … }`, its path must start with the group's whole prefix
///   (`/api/…`, the same segments and parameter names) and it is registered once, at `path`;
///   a path that does not start with the prefix stops the program at registration, naming both.
///   A router holding typed routes cannot be mounted with `use(_:_:)` (its prefix would change
///   the path the route answers at); mounting one stops the program with a message.
public struct Route<Body: Codable & Sendable, Output: Codable & Sendable>: Sendable, CustomStringConvertible {
    /// The request method.
    public let method: Method
    /// The absolute path pattern (syntax as in ``Router``).
    public let path: String
    /// The status of a successful reply.
    public let successStatus: Status
    let pattern: PathPattern

    /// A route; stops the program if `path` is not a valid pattern.
    private init(_ method: Method, _ path: String, successStatus: Status) {
        self.method = method
        self.path = path
        self.successStatus = successStatus
        self.pattern = PathPattern(path)
    }

    /// A POST route whose request body is a `Body`.
    public static func post(_ path: String, successStatus: Status = .ok) -> Route { Route(.post, path, successStatus: successStatus) }
    /// A PUT route whose request body is a `Body`.
    public static func put(_ path: String, successStatus: Status = .ok) -> Route { Route(.put, path, successStatus: successStatus) }
    /// A PATCH route whose request body is a `Body`.
    public static func patch(_ path: String, successStatus: Status = .ok) -> Route { Route(.patch, path, successStatus: successStatus) }

    /// `METHOD /pattern`.
    public var description: String { "\(method) \(pattern)" }

    /// The url that calls this route: each `:name` replaced by `params[name]`, `*` by
    /// `params["*"]` and `**` by `params["**"]` (slashes kept), values percent-encoded, then
    /// `query` items, in order, percent-encoded.
    /// An optional last segment (`:name?`, `**?`) is left out when `params` has no value for it.
    public func url(params: [String: String] = [:], query: [(name: String, value: String)] = []) throws(RouteURLError) -> String {
        try pattern.url(params: params, query: query)
    }
}

extension Route where Body == Empty {
    /// A GET route (no request body).
    public static func get(_ path: String, successStatus: Status = .ok) -> Route { Route(.get, path, successStatus: successStatus) }
    /// A DELETE route (no request body).
    public static func delete(_ path: String, successStatus: Status = .ok) -> Route { Route(.delete, path, successStatus: successStatus) }
}
