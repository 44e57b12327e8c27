/// Code that runs around route handlers, Express style; added with `router.use(_:)`,
/// on groups, or per route.
///
/// Four forms:
/// - ``init(_:)``: `Middleware { req, res, next in …; try await next(); … }` — full Express
///   semantics: code before `next()`, code after it (runs once the handler returned), or
///   answer without calling `next()` to stop the chain. Asynchronous, so routes behind it
///   answer through a task (``Dispatch/pending(_:)``).
/// - ``sync(_:)`` and ``sync(before:after:)``: synchronous middleware that keeps synchronous
///   routes on the inline fast path (``Dispatch/completed(_:)``). `before` runs first; the
///   chain stops if it answered (or threw) and continues otherwise; `after` runs once the rest
///   of the chain returned without throwing.
/// - `Middleware.error { error, req, res in … }`: error middleware. It receives what
///   is thrown below it (by middleware registered after it, and by handlers) and may answer;
///   if it returns without answering, the error goes on up (to outer error middleware, then
///   to the router's default: ``HTTPError`` → its status, anything else → 500). Unlike
///   Express, register it *before* what it guards, like any other middleware.
public struct Middleware: Sendable {
    /// The body of a middleware.
    enum Kind: Sendable {
        case async(@Sendable (Request, Response, Next) async throws -> Void)
        case sync(before: @Sendable (Request, Response) throws -> Void, after: (@Sendable (Request, Response) -> Void)?)
        case syncError(@Sendable (any Error, Request, Response) throws -> Void)
        case asyncError(@Sendable (any Error, Request, Response) async throws -> Void)
    }

    let kind: Kind

    /// Express-style middleware: `Middleware { req, res, next in … try await next() … }`.
    public init(_ body: @escaping @Sendable (Request, Response, Next) async throws -> Void) {
        kind = .async(body)
    }

    private init(kind: Kind) { self.kind = kind }

    /// Synchronous middleware that runs before the rest of the chain: the chain continues
    /// unless it answered or threw. Keeps synchronous routes on the inline fast path.
    public static func sync(_ before: @escaping @Sendable (Request, Response) throws -> Void) -> Middleware {
        Middleware(kind: .sync(before: before, after: nil))
    }

    /// Synchronous middleware with code before and after the rest of the chain (e.g. timing):
    /// `after` runs once the rest returned without throwing, before the reply leaves.
    public static func sync(
        before: @escaping @Sendable (Request, Response) throws -> Void,
        after: @escaping @Sendable (Request, Response) -> Void
    ) -> Middleware {
        Middleware(kind: .sync(before: before, after: after))
    }

    /// Synchronous error middleware: receives errors thrown below it; answer to handle one,
    /// return without answering or throw to pass it on.
    public static func error(_ handler: @escaping @Sendable (any Error, Request, Response) throws -> Void) -> Middleware {
        Middleware(kind: .syncError(handler))
    }

    /// Asynchronous error middleware: receives errors thrown below it; answer to handle one,
    /// return without answering or throw to pass it on.
    public static func error(_ handler: @escaping @Sendable (any Error, Request, Response) async throws -> Void) -> Middleware {
        Middleware(kind: .asyncError(handler))
    }

    /// Whether it can run inline, without Swift concurrency.
    var isSynchronous: Bool {
        switch kind {
        case .sync, .syncError: true
        case .async, .asyncError: false
        }
    }
}
