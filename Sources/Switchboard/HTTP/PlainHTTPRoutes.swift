/// Answers to plain HTTP `GET` requests on paths of the application's choosing, such as a
/// health check or a metrics export, set as ``Configuration/httpRoutes``.
///
/// ```swift
/// configuration.httpRoutes.get("/healthz") { .json(#"{"status":"ok"}"#) }
/// ```
///
/// A path matches exactly, byte for byte, ignoring the query (`/healthz?x=1` is `/healthz`).
/// `HEAD` gets the same status and headers without the body. These answers come before static
/// files, close the connection like every plain HTTP answer, and must be written within
/// ``Configuration/handshakeTimeout`` of the connection's accept. Other methods on these
/// paths, and other paths, are answered as without them (static files, else 404).
public struct PlainHTTPRoutes: Sendable {
    /// Produces the answer to one request; it runs in a task.
    public typealias Handler = @Sendable () async -> PlainHTTPResponse

    private var handlers: [String: Handler] = [:]

    /// No routes.
    public init() {}

    /// Answers `GET` (and `HEAD`) on `path` with `handler`; a second handler for the same
    /// path replaces the first.
    public mutating func get(_ path: String, _ handler: @escaping Handler) {
        handlers[path] = handler
    }

    /// The handler for a request's `uri` (path and optional query), if any.
    func handler(for uri: String) -> Handler? {
        guard !handlers.isEmpty else { return nil }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return handlers[String(path)]
    }
}

/// The answer of a ``PlainHTTPRoutes`` handler: status, `Content-Type` and body.
public struct PlainHTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The `Content-Type` header.
    public var contentType: String
    /// The body bytes.
    public var body: [UInt8]

    /// An answer.
    public init(status: Int = 200, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A JSON answer (`application/json`) with the text `json`.
    public static func json(_ json: String, status: Int = 200) -> PlainHTTPResponse {
        PlainHTTPResponse(status: status, contentType: "application/json", body: Array(json.utf8))
    }

    /// A plain text answer (`text/plain; charset=utf-8`).
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> PlainHTTPResponse {
        PlainHTTPResponse(status: status, contentType: contentType, body: Array(text.utf8))
    }
}
