/// Registering handlers for typed ``Route`` values.
///
/// The handler gets the request and the body decoded as the route's `Input` (a 400 when it
/// does not decode; ``Empty`` input accepts any body), and returns the `Output`, sent as JSON
/// with the route's `successStatus`.
extension Router {
    /// Handles `route` with a synchronous handler (inline fast path).
    public mutating func register<Input, Output>(
        _ route: Route<Input, Output>, _ middleware: Middleware...,
        handler: @escaping @Sendable (Request, Input) throws -> Output
    ) {
        let status = route.successStatus
        add(route.method, route.path, middleware, .sync { req, res in
            let output = try handler(req, Router.input(of: req))
            try res.status(status).json(output)
        })
    }

    /// Handles `route` with an asynchronous handler.
    public mutating func register<Input, Output>(
        _ route: Route<Input, Output>, _ middleware: Middleware...,
        handler: @escaping @Sendable (Request, Input) async throws -> Output
    ) {
        let status = route.successStatus
        add(route.method, route.path, middleware, .async { req, res in
            let output = try await handler(req, Router.input(of: req))
            try res.status(status).json(output)
        })
    }

    private static func input<Input: Decodable>(of request: Request) throws -> Input {
        if let empty = Empty() as? Input { return empty }
        return try request.decode(Input.self)
    }
}
