/// An error that becomes a reply with its status and the body `{"error": message}`.
///
/// Throw it from handlers and middleware (`throw HTTPError(.notFound, "no board 7")`). Any
/// other error becomes a 500 with `{"error":"internal server error"}`: its details are
/// reported to the router's diagnostics sink, never sent to the client.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The reply status.
    public var status: Status
    /// The message sent to the client.
    public var message: String

    /// An error answered with `status` and `message` (by default a short text for the status,
    /// e.g. "not found").
    public init(_ status: Status, _ message: String? = nil) {
        self.status = status
        self.message = message ?? HTTPError.defaultMessage(for: status)
    }

    /// `404 no such board`.
    public var description: String { "\(status.code) \(message)" }

    /// The reply body: `{"error": message}`.
    public var body: ArraySlice<UInt8> { ArraySlice(JSONText.object(["error": message]).utf8) }

    /// The message used when none is given.
    static func defaultMessage(for status: Status) -> String {
        switch status.code {
        case 400: "bad request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not found"
        case 405: "method not allowed"
        case 408: "request timeout"
        case 409: "conflict"
        case 410: "gone"
        case 413: "content too large"
        case 422: "unprocessable content"
        case 429: "too many requests"
        case 500: "internal server error"
        case 501: "not implemented"
        case 503: "service unavailable"
        case 504: "gateway timeout"
        default: "error \(status.code)"
        }
    }
}
