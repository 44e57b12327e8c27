/// One request as handlers see it. (Placeholder shape: the router work fills it out.)
public struct Request: Sendable {
    /// The request method.
    public let method: Method
    /// The url as received: percent-encoded path and optional query.
    public let url: String
    /// The body bytes.
    public let body: ArraySlice<UInt8>
    /// The request id from the frame.
    public let id: UInt32
    /// The connection the request came from.
    public let connection: any ConnectionContext

    /// A request, as built by a transport from a request frame.
    public init(method: Method, url: String, body: ArraySlice<UInt8>, id: UInt32, connection: any ConnectionContext) {
        self.method = method
        self.url = url
        self.body = body
        self.id = id
        self.connection = connection
    }
}
