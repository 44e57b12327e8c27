/// A route's middleware and handler composed into one function, once, at registration.
///
/// The chain is synchronous when every part is (it then runs inline on the caller's thread),
/// asynchronous otherwise.
enum Chain: Sendable {
    case sync(@Sendable (Request, Response) throws -> Void)
    case async(@Sendable (Request, Response) async throws -> Void)

    /// One part of a chain and the mount depth of the router it was registered on (the
    /// request it sees has `path` relative to that router).
    enum Part: Sendable {
        case middleware(Middleware, depth: Int)
        case handler(Handler, depth: Int)

        /// The same part seen from a router `segments` deeper in the path.
        func mounted(_ segments: Int) -> Part {
            switch self {
            case .middleware(let middleware, let depth): .middleware(middleware, depth: depth + segments)
            case .handler(let handler, let depth): .handler(handler, depth: depth + segments)
            }
        }
    }

    /// Composes `middleware` (outermost first) around `handler`.
    static func compose(_ middleware: [(Middleware, depth: Int)], handler: Handler, depth: Int) -> Chain {
        let allSynchronous = middleware.allSatisfy { $0.0.isSynchronous }
        if allSynchronous, case .sync(let body) = handler {
            // Requests reach every part at mount depth 0, so a root handler takes them as they are.
            var chain: @Sendable (Request, Response) throws -> Void = body
            if depth != 0 { chain = { req, res in try body(req.mounted(at: depth), res) } }
            for (layer, depth) in middleware.reversed() {
                chain = wrapSync(layer, depth: depth, around: chain)
            }
            return .sync(chain)
        }
        var chain: @Sendable (Request, Response) async throws -> Void
        switch handler {
        case .sync(let body):
            chain = body
            if depth != 0 { chain = { req, res in try body(req.mounted(at: depth), res) } }
        case .async(let body):
            chain = body
            if depth != 0 { chain = { req, res in try await body(req.mounted(at: depth), res) } }
        }
        for (layer, depth) in middleware.reversed() {
            chain = wrapAsync(layer, depth: depth, around: chain)
        }
        return .async(chain)
    }

    private static func wrapSync(
        _ middleware: Middleware, depth: Int, around inner: @escaping @Sendable (Request, Response) throws -> Void
    ) -> @Sendable (Request, Response) throws -> Void {
        switch middleware.kind {
        case .sync(let before, let after):
            return { req, res in
                let own = req.mounted(at: depth)
                try before(own, res)
                if res.isSent { return }
                try inner(req, res)
                after?(own, res)
            }
        case .syncError(let handle):
            return { req, res in
                do {
                    try inner(req, res)
                } catch {
                    try handle(error, req.mounted(at: depth), res)
                    if !res.isSent { throw error }
                }
            }
        case .async, .asyncError:
            preconditionFailure("asynchronous middleware in a synchronous chain")
        }
    }

    private static func wrapAsync(
        _ middleware: Middleware, depth: Int, around inner: @escaping @Sendable (Request, Response) async throws -> Void
    ) -> @Sendable (Request, Response) async throws -> Void {
        switch middleware.kind {
        case .async(let body):
            return { req, res in
                try await body(req.mounted(at: depth), res, Next { try await inner(req, res) })
            }
        case .sync(let before, let after):
            return { req, res in
                let own = req.mounted(at: depth)
                try before(own, res)
                if res.isSent { return }
                try await inner(req, res)
                after?(own, res)
            }
        case .syncError(let handle):
            return { req, res in
                do {
                    try await inner(req, res)
                } catch {
                    try handle(error, req.mounted(at: depth), res)
                    if !res.isSent { throw error }
                }
            }
        case .asyncError(let handle):
            return { req, res in
                do {
                    try await inner(req, res)
                } catch {
                    try await handle(error, req.mounted(at: depth), res)
                    if !res.isSent { throw error }
                }
            }
        }
    }
}
