/// A route declared once as a value — method, path pattern, input and output types — so the
/// server that handles it and the client that calls it agree.
///
/// ```swift
/// enum API {
///     static let getBoard = Route<Empty, Board>.get("/boards/:id")
///     static let createBoard = Route<NewBoard, Board>.post("/boards", successStatus: .created)
/// }
/// router.register(API.getBoard) { req, _ in try boards.find(req.params.require("id")) }
/// let url = try API.getBoard.url(params: ["id": "7"])          // "/boards/7", for clients
/// ```
public struct Route<Input: Codable & Sendable, Output: Codable & Sendable>: Sendable, CustomStringConvertible {
    /// The request method.
    public let method: Method
    /// The path pattern (syntax as in ``Router``).
    public let path: String
    /// The status of a successful reply.
    public let successStatus: Status
    let pattern: PathPattern

    /// A route; stops the program if `path` is not a valid pattern.
    public init(_ method: Method, _ path: String, successStatus: Status = .ok) {
        self.method = method
        self.path = path
        self.successStatus = successStatus
        self.pattern = PathPattern(path)
    }

    /// A GET route.
    public static func get(_ path: String, successStatus: Status = .ok) -> Route { Route(.get, path, successStatus: successStatus) }
    /// A POST route.
    public static func post(_ path: String, successStatus: Status = .ok) -> Route { Route(.post, path, successStatus: successStatus) }
    /// A PUT route.
    public static func put(_ path: String, successStatus: Status = .ok) -> Route { Route(.put, path, successStatus: successStatus) }
    /// A PATCH route.
    public static func patch(_ path: String, successStatus: Status = .ok) -> Route { Route(.patch, path, successStatus: successStatus) }
    /// A DELETE route.
    public static func delete(_ path: String, successStatus: Status = .ok) -> Route { Route(.delete, path, successStatus: successStatus) }

    /// `METHOD /pattern`.
    public var description: String { "\(method) \(pattern)" }

    /// The url that calls this route: each `:name` replaced by `params[name]`, `*` by
    /// `params["*"]` and `**` by `params["**"]` (slashes kept), values percent-encoded, then
    /// `query` items, in order, percent-encoded.
    public func url(params: [String: String] = [:], query: [(name: String, value: String)] = []) throws(RouteURLError) -> String {
        try pattern.url(params: params, query: query)
    }
}
