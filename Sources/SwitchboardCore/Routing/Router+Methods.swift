/// Route registration: one function per method, each taking the path pattern, optional
/// route middleware, and a handler in one of four forms:
/// - `{ req, res in … }` synchronous, answering through `res` (runs inline: the fast path);
/// - `{ req, res async throws in … }` asynchronous;
/// - either of those returning an `Encodable` value, sent as JSON (status 200 unless the
///   handler set one).
extension Router {

    /// Handles GET requests to `path` with a synchronous handler.
    public mutating func get(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Void) {
        add(.get, path, middleware, .sync(handler))
    }

    /// Handles GET requests to `path` with an asynchronous handler.
    public mutating func get(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Void) {
        add(.get, path, middleware, .async(handler))
    }

    /// Handles GET requests to `path` with a synchronous handler whose result is sent as JSON.
    public mutating func get<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Output) {
        add(.get, path, middleware, .sync { req, res in try res.json(handler(req, res)) })
    }

    /// Handles GET requests to `path` with an asynchronous handler whose result is sent as JSON.
    public mutating func get<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Output) {
        add(.get, path, middleware, .async { req, res in try await res.json(handler(req, res)) })
    }

    /// Handles POST requests to `path` with a synchronous handler.
    public mutating func post(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Void) {
        add(.post, path, middleware, .sync(handler))
    }

    /// Handles POST requests to `path` with an asynchronous handler.
    public mutating func post(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Void) {
        add(.post, path, middleware, .async(handler))
    }

    /// Handles POST requests to `path` with a synchronous handler whose result is sent as JSON.
    public mutating func post<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Output) {
        add(.post, path, middleware, .sync { req, res in try res.json(handler(req, res)) })
    }

    /// Handles POST requests to `path` with an asynchronous handler whose result is sent as JSON.
    public mutating func post<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Output) {
        add(.post, path, middleware, .async { req, res in try await res.json(handler(req, res)) })
    }

    /// Handles PUT requests to `path` with a synchronous handler.
    public mutating func put(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Void) {
        add(.put, path, middleware, .sync(handler))
    }

    /// Handles PUT requests to `path` with an asynchronous handler.
    public mutating func put(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Void) {
        add(.put, path, middleware, .async(handler))
    }

    /// Handles PUT requests to `path` with a synchronous handler whose result is sent as JSON.
    public mutating func put<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Output) {
        add(.put, path, middleware, .sync { req, res in try res.json(handler(req, res)) })
    }

    /// Handles PUT requests to `path` with an asynchronous handler whose result is sent as JSON.
    public mutating func put<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Output) {
        add(.put, path, middleware, .async { req, res in try await res.json(handler(req, res)) })
    }

    /// Handles PATCH requests to `path` with a synchronous handler.
    public mutating func patch(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Void) {
        add(.patch, path, middleware, .sync(handler))
    }

    /// Handles PATCH requests to `path` with an asynchronous handler.
    public mutating func patch(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Void) {
        add(.patch, path, middleware, .async(handler))
    }

    /// Handles PATCH requests to `path` with a synchronous handler whose result is sent as JSON.
    public mutating func patch<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Output) {
        add(.patch, path, middleware, .sync { req, res in try res.json(handler(req, res)) })
    }

    /// Handles PATCH requests to `path` with an asynchronous handler whose result is sent as JSON.
    public mutating func patch<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Output) {
        add(.patch, path, middleware, .async { req, res in try await res.json(handler(req, res)) })
    }

    /// Handles DELETE requests to `path` with a synchronous handler.
    public mutating func delete(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Void) {
        add(.delete, path, middleware, .sync(handler))
    }

    /// Handles DELETE requests to `path` with an asynchronous handler.
    public mutating func delete(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Void) {
        add(.delete, path, middleware, .async(handler))
    }

    /// Handles DELETE requests to `path` with a synchronous handler whose result is sent as JSON.
    public mutating func delete<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Output) {
        add(.delete, path, middleware, .sync { req, res in try res.json(handler(req, res)) })
    }

    /// Handles DELETE requests to `path` with an asynchronous handler whose result is sent as JSON.
    public mutating func delete<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Output) {
        add(.delete, path, middleware, .async { req, res in try await res.json(handler(req, res)) })
    }

    /// Handles HEAD requests to `path` with a synchronous handler.
    public mutating func head(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Void) {
        add(.head, path, middleware, .sync(handler))
    }

    /// Handles HEAD requests to `path` with an asynchronous handler.
    public mutating func head(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Void) {
        add(.head, path, middleware, .async(handler))
    }

    /// Handles HEAD requests to `path` with a synchronous handler whose result is sent as JSON.
    public mutating func head<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Output) {
        add(.head, path, middleware, .sync { req, res in try res.json(handler(req, res)) })
    }

    /// Handles HEAD requests to `path` with an asynchronous handler whose result is sent as JSON.
    public mutating func head<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Output) {
        add(.head, path, middleware, .async { req, res in try await res.json(handler(req, res)) })
    }

    /// Handles OPTIONS requests to `path` with a synchronous handler.
    public mutating func options(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Void) {
        add(.options, path, middleware, .sync(handler))
    }

    /// Handles OPTIONS requests to `path` with an asynchronous handler.
    public mutating func options(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Void) {
        add(.options, path, middleware, .async(handler))
    }

    /// Handles OPTIONS requests to `path` with a synchronous handler whose result is sent as JSON.
    public mutating func options<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Output) {
        add(.options, path, middleware, .sync { req, res in try res.json(handler(req, res)) })
    }

    /// Handles OPTIONS requests to `path` with an asynchronous handler whose result is sent as JSON.
    public mutating func options<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Output) {
        add(.options, path, middleware, .async { req, res in try await res.json(handler(req, res)) })
    }

    /// Handles requests of every method to `path` with a synchronous handler.
    public mutating func all(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Void) {
        add(nil, path, middleware, .sync(handler))
    }

    /// Handles requests of every method to `path` with an asynchronous handler.
    public mutating func all(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Void) {
        add(nil, path, middleware, .async(handler))
    }

    /// Handles requests of every method to `path` with a synchronous handler whose result is sent as JSON.
    public mutating func all<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Output) {
        add(nil, path, middleware, .sync { req, res in try res.json(handler(req, res)) })
    }

    /// Handles requests of every method to `path` with an asynchronous handler whose result is sent as JSON.
    public mutating func all<Output: Encodable & Sendable>(_ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Output) {
        add(nil, path, middleware, .async { req, res in try await res.json(handler(req, res)) })
    }

    /// Handles `method` requests to `path` with a synchronous handler.
    public mutating func on(_ method: Method, _ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Void) {
        add(method, path, middleware, .sync(handler))
    }

    /// Handles `method` requests to `path` with an asynchronous handler.
    public mutating func on(_ method: Method, _ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Void) {
        add(method, path, middleware, .async(handler))
    }

    /// Handles `method` requests to `path` with a synchronous handler whose result is sent as JSON.
    public mutating func on<Output: Encodable & Sendable>(_ method: Method, _ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) throws -> Output) {
        add(method, path, middleware, .sync { req, res in try res.json(handler(req, res)) })
    }

    /// Handles `method` requests to `path` with an asynchronous handler whose result is sent as JSON.
    public mutating func on<Output: Encodable & Sendable>(_ method: Method, _ path: String, _ middleware: Middleware..., handler: @escaping @Sendable (Request, Response) async throws -> Output) {
        add(method, path, middleware, .async { req, res in try await res.json(handler(req, res)) })
    }
}
