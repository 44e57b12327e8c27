/// Registering handlers for typed ``Route`` values.
///
/// The handler gets the request and the request body decoded as the route's `Body` (a 400
/// naming the failing field when it does not decode; ``Empty`` accepts any body), and returns
/// the `Output`, sent as JSON with the route's `successStatus`. The route is registered at its
/// absolute path; see ``Route`` for registering inside a group.
extension Router {
    /// Handles `route` with a synchronous handler (inline fast path).
    public mutating func register<Body, Output>(
        _ route: Route<Body, Output>, _ middleware: Middleware...,
        handler: @escaping @Sendable (Request, Body) throws -> Output
    ) {
        let status = route.successStatus
        addTyped(route.method, route.pattern, middleware, .sync { req, res in
            let output = try handler(req, Router.body(of: req))
            try res.status(status).json(output)
        })
    }

    /// Handles `route` with an asynchronous handler.
    public mutating func register<Body, Output>(
        _ route: Route<Body, Output>, _ middleware: Middleware...,
        handler: @escaping @Sendable (Request, Body) async throws -> Output
    ) {
        let status = route.successStatus
        addTyped(route.method, route.pattern, middleware, .async { req, res in
            let output = try await handler(req, Router.body(of: req))
            try res.status(status).json(output)
        })
    }

    private static func body<Body: Decodable>(of request: Request) throws -> Body {
        if let empty = Empty() as? Body { return empty }
        return try request.decode(Body.self)
    }
}
