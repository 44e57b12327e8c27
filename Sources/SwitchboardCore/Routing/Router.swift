/// Routes requests to handlers through middleware, with Express semantics, on the UTF-8 bytes
/// of the url.
///
/// ```swift
/// var router = Router()
/// router.use(.bearerAuth { token in tokens.identity(for: token) })
/// router.get("/boards/:id") { req, res in
///     let id = try req.params.require("id", as: Int.self)
///     return try boards.find(id)                       // Encodable → JSON body, 200
/// }
/// router.group("/admin", .requireRole("admin")) { admin in
///     admin.delete("/boards/:id") { req, res in res.status(.noContent).end() }
/// }
/// router.use("/files", filesRouter)                    // a mounted sub-router
/// ```
///
/// A router is a value: configure it with `var`, then hand it to a server or a `TestClient`.
/// Mounting copies the sub-router's routes as they are at that moment; so does a group.
///
/// ## Path patterns
/// Segments separated by `/` (empty segments ignored, so `/a//b/` registers `/a/b`):
/// - `users` — static text, matched byte for byte against the percent-encoded request segment;
/// - `:id` — a parameter: one non-empty segment, read as `req.params["id"]`;
/// - `*` — a wildcard: one non-empty segment, read as `req.params["*"]`;
/// - `**` — a catch-all, last segment only: one or more remaining segments, read as
///   `req.params.catchAll` (`"a/b.txt"` for `/files/a/b.txt` against `/files/**`);
/// - `**?` — a zero-or-more catch-all, last segment only: `/files/**?` also matches `/files`,
///   and `req.params.catchAll` is then `""`;
/// - `:op?` — an optional parameter, last segment only: `/users/:id/:op?` matches `/users/7`
///   (`req.params["op"]` is `nil`) and `/users/7/edit`;
/// - `:name.:ext`, `:from-:to`, `:id.json` — several parameters in one segment. In a segment
///   starting with `:`, a parameter name ends at `.` or `-`, and the literal text after it runs
///   to the next `:`; each parameter takes the shortest non-empty text after which the rest of
///   the segment matches (`archive.tar.gz` gives `name` = `archive`, `ext` = `tar.gz`).
///
/// A malformed pattern (empty or repeated parameter name, `**` not last, an optional segment
/// not last, two parameters with no `.`/`-` text between them, `?` anywhere else) stops the
/// program at registration: it is a programming error. Registering the same method and
/// pattern shape twice keeps the first and reports the second to
/// ``RouterConfiguration/diagnostics``; an optional segment registers both shapes (with and
/// without it), and a clash on either is a duplicate.
///
/// ## Matching
/// - **Precedence does not depend on registration order:** per segment, static beats
///   several-part (`:name.:ext`; among those, more literal text first) beats parameter beats
///   wildcard beats catch-all. When the preferred branch has no route for the
///   request's method, matching backtracks to the next one: with `GET /users/me` and
///   `DELETE /users/:id`, `DELETE /users/me` reaches the second route with `id` = `me`.
/// - **Case-sensitive** by default: `/Users` does not match `/users` (parameter values keep
///   their case). With ``RouterConfiguration/caseInsensitive``, static text (also the literal
///   parts of `:name.JSON`) matches regardless of ASCII letter case.
/// - **Trailing slash:** one trailing slash is ignored: `/users/` matches `/users`. Empty
///   segments inside a path (`/users//7`) match nothing, so they are 404.
/// - A path without a leading `/` is matched as if it had one; `""` is `/`.
/// - **Percent-decoding:** matching compares encoded bytes. Path parameter values and query
///   keys and values are percent-decoded when read. `+` is a literal plus in the path and a
///   space in the query (`%2B` is a plus in both). A malformed escape (`%G1`, `%4`, a lone `%`)
///   is answered 400 `{"error": …}` naming the parameter: in a path segment a route captures,
///   before any middleware runs (`malformed percent-encoding in path parameter "id"`); in the
///   query, when the app reads that value (`malformed percent-encoding in query parameter
///   "page"`, thrown by ``Query``'s accessors).
/// - **Query:** everything after the first `?` is the query, not matched; read it with
///   `try req.query["page"]` or `try req.query.all("tag")` (repeated keys kept in order).
///
/// ## When nothing matches
/// - No route's pattern matches the path: **404** `{"error":"not found"}`.
/// - Some pattern matches, but no route for the method: **405**
///   `{"error":"method not allowed","allowed":["GET","HEAD","OPTIONS"]}`; there are no headers
///   on a socket, so the allowed methods are in the body. `allowed` lists every method with a
///   route for the path, HEAD when GET is there, and OPTIONS always, in the order GET, POST,
///   PUT, PATCH, DELETE, HEAD, OPTIONS.
/// - **HEAD** without a HEAD route runs the GET route (the handler sees `req.method == .head`)
///   and the reply goes out with the same status and an empty body. Every HEAD reply, 404s
///   included, has an empty body.
/// - **OPTIONS** without an OPTIONS (or `all`) route for the path: **200**
///   `{"allowed":[…]}` with the same list as a 405, and nothing else; 404 when no pattern
///   matches.
/// - These replies, and only these, also pass through the root router's path-less middleware
///   (`use(_:)` without a prefix), whenever it was registered: auth middleware can refuse
///   them first, logging sees them, and middleware added after the routes can answer a
///   custom 404 instead of calling `next()`.
///
/// ## Middleware
/// Express order: `use` applies to the routes registered *after* it, outermost first, then
/// the route's own middleware, then the handler. `use("/prefix", …)` applies to later routes
/// whose pattern starts with the prefix (compared segment by segment). `group(_:_:body:)`
/// scopes middleware to the routes registered in its body; `use("/prefix", router)` mounts a
/// sub-router: its handlers and middleware see ``Request/path`` relative to the prefix (params
/// of the prefix are readable), while the mounting router's middleware sees the whole path.
/// Middleware chains are composed once, when a route is registered.
///
/// ## Answers, errors, deadline
/// Every request gets exactly one reply. A handler answers with `res.send`/`res.json`/`res.end`,
/// or by returning an `Encodable` value (200 with JSON, unless a status was set). A thrown
/// ``HTTPError`` (or ``HTTPErrorConvertible``, e.g. a refused room join) becomes its status
/// and `{"error": message}`; any other error a 500
/// `{"error":"internal server error"}` (details go to diagnostics). A second response is
/// ignored and reported. The reply leaves when the whole chain has returned (code after
/// `next()` included) or, if it returned without answering, at the first later `send`. A
/// request still unanswered ``RouterConfiguration/handlerDeadline`` after the transport
/// started it gets 504, and its handler task is cancelled; so does a request the transport
/// gives up on (``PendingReply/expire()``, or cancelling the task awaiting it), e.g. because
/// the connection closed.
///
/// ## Fast path
/// A route whose handler and middleware are all synchronous is answered inline, on the
/// caller's thread, as ``Dispatch/completed(_:)``: no task, no hop. Anything asynchronous on
/// the chain makes it ``Dispatch/pending(_:)``. Synchronous building blocks: handlers without
/// `async`, ``Middleware/sync(_:)``, ``Middleware/sync(before:after:)``, synchronous error
/// middleware, `.bearerAuth` with a synchronous `verify`, `.requireRole`.
///
/// ## Typed routes and lookups
/// `register(_:handler:)` handles a ``Route`` value declared once for server and
/// client. A route's path is absolute: inside `group("/api")` it must start with `/api` and is
/// registered once, at its path; anything else stops the program at registration (see
/// ``Route``). ``match(_:_:)`` only looks a route up (no middleware, no handler), e.g. for
/// benchmarks and tooling.
public struct Router: Responder {
    /// Settings; when a router is mounted, the mounting router's settings apply. Changing
    /// ``RouterConfiguration/caseInsensitive`` applies to the routes already registered too.
    public var configuration: RouterConfiguration {
        get { storage.state.configuration }
        set {
            let refold = newValue.caseInsensitive != storage.state.configuration.caseInsensitive
            update { $0.configuration = newValue }
            if refold { rebuildTrie() }
        }
    }

    /// Everything the router holds, behind one immutable reference: copying a router (as a
    /// call on it may) costs one retain, and the hot path reads `let`s only, without
    /// exclusivity checks. Registration builds a new one (see ``update(_:)``).
    private var storage: Storage

    private final class Storage: Sendable {
        let state: State
        init(_ state: State) { self.state = state }
    }

    private struct State: Sendable {
        var configuration: RouterConfiguration
        /// Every route as registered, so the router can be mounted into another one.
        var entries: [Entry] = []
        /// Middleware from `use`, in registration order, with the prefix it is limited to.
        var scopedMiddleware: [(prefix: PathPattern, middleware: Middleware)] = []
        /// Path-less middleware, which also wraps the fallback replies.
        var pathlessMiddleware: [Middleware] = []
        /// The whole prefix of the group this router registers for (empty outside groups), so
        /// typed routes, whose paths are absolute, can be registered relative to it.
        var groupPrefix = PathPattern("")
        var trie = RouteTrie()
        var routes: [CompiledRoute] = []
        var fallback: Chain = Router.composeFallback([])
    }

    /// A placeholder held while ``update(_:)`` changes the state.
    private static let placeholder = Storage(State(configuration: RouterConfiguration()))

    /// Changes the state (registration only) and puts it in a new box. The old box is released
    /// before `body` runs, so when no other copy of the router shares it the state's arrays
    /// are uniquely referenced and grow in place: registering a route costs time proportional
    /// to the route, not to the table.
    private mutating func update<Result>(_ body: (inout State) -> Result) -> Result {
        var state = storage.state
        storage = Router.placeholder
        defer { storage = Storage(state) }
        return body(&state)
    }

    var entries: [Entry] { storage.state.entries }

    /// One route as registered, with its middleware and the mount depth of each part.
    struct Entry: Sendable {
        var method: Method?
        var pattern: PathPattern
        var middleware: [(Middleware, depth: Int)]
        var handler: Handler
        var handlerDepth: Int
        /// Whether the route came from a typed ``Route``, whose path is absolute.
        var isTyped = false
    }

    /// One route ready to run.
    private struct CompiledRoute: Sendable {
        let pattern: String
        let method: Method?
        let captureNames: [String]
        let chain: Chain
    }

    /// A router with no routes.
    public init(configuration: RouterConfiguration = RouterConfiguration()) {
        var state = State(configuration: configuration)
        state.trie = RouteTrie(foldsCase: configuration.caseInsensitive)
        storage = Storage(state)
    }

    // MARK: Registration

    /// Adds middleware for every route registered after this call (and the fallback replies,
    /// see "When nothing matches").
    public mutating func use(_ middleware: Middleware...) {
        update { state in
            for item in middleware {
                state.scopedMiddleware.append((PathPattern(""), item))
                state.pathlessMiddleware.append(item)
            }
            state.fallback = Router.composeFallback(state.pathlessMiddleware)
        }
    }

    /// Adds Express-style middleware: `router.use { req, res, next in … }`.
    public mutating func use(_ body: @escaping @Sendable (Request, Response, Next) async throws -> Void) {
        use(Middleware(body))
    }

    /// Adds middleware for routes registered after this call whose pattern starts with
    /// `prefix`.
    public mutating func use(_ prefix: String, _ middleware: Middleware...) {
        let pattern = PathPattern(prefix)
        guard !pattern.segments.isEmpty else {
            for item in middleware { use(item) }
            return
        }
        update { $0.scopedMiddleware.append(contentsOf: middleware.map { (pattern, $0) }) }
    }

    /// Mounts `router`'s routes under `prefix` (e.g. `/users/:userId`), behind the middleware
    /// registered here so far. Its handlers and middleware see paths relative to `prefix`.
    public mutating func use(_ prefix: String, _ router: Router) {
        if let typed = router.entries.first(where: \.isTyped) {
            preconditionFailure(
                "the router mounted at \(prefix) holds the typed route \(typed.method.map(String.init(describing:)) ?? "ALL") \(typed.pattern); typed routes have absolute paths: register them on the root router or in a group"
            )
        }
        mount(router, at: Router.prefixPattern(prefix), relative: true)
    }

    /// Registers the routes that `body` adds under `prefix`, behind `middleware` and any
    /// middleware `body` adds with `use`; neither applies outside the group. Handlers in a
    /// group see the whole path.
    public mutating func group(_ prefix: String, _ middleware: Middleware..., body: (inout Router) -> Void) {
        var group = Router(configuration: configuration)
        let groupPrefix = storage.state.groupPrefix.appending(Router.prefixPattern(prefix))
        group.update { $0.groupPrefix = groupPrefix }
        for item in middleware { group.use(item) }
        body(&group)
        mount(group, at: Router.prefixPattern(prefix), relative: false)
    }

    /// Registers `handler` for `method` (`nil`: every method) at `path`.
    mutating func add(_ method: Method?, _ path: String, _ middleware: [Middleware], _ handler: Handler) {
        let pattern = PathPattern(path)
        let parts = applicableMiddleware(for: pattern) + middleware.map { ($0, depth: 0) }
        add(Entry(method: method, pattern: pattern, middleware: parts, handler: handler, handlerDepth: 0))
    }

    /// Registers a typed route at its absolute `pattern`: relative to this group's prefix,
    /// which the pattern must start with.
    mutating func addTyped(_ method: Method, _ pattern: PathPattern, _ middleware: [Middleware], _ handler: Handler) {
        let prefix = storage.state.groupPrefix
        guard pattern.segments.starts(with: prefix.segments) else {
            preconditionFailure(
                "typed route \(method) \(pattern) is registered in the group \(prefix), but its path does not start with \(prefix); a Route's path is absolute: declare it under \(prefix) or register it outside the group"
            )
        }
        let relative = pattern.dropping(prefix.segments.count)
        let parts = applicableMiddleware(for: relative) + middleware.map { ($0, depth: 0) }
        add(Entry(method: method, pattern: relative, middleware: parts, handler: handler, handlerDepth: 0, isTyped: true))
    }

    private mutating func add(_ entry: Entry) {
        let chain = Chain.compose(entry.middleware, handler: entry.handler, depth: entry.handlerDepth)
        let inserted = update { state in
            let index = Int32(state.routes.count)
            guard state.trie.insert(entry.pattern, method: entry.method, route: index) else { return false }
            state.routes.append(CompiledRoute(
                pattern: entry.pattern.description,
                method: entry.method,
                captureNames: entry.pattern.captureNames,
                chain: chain
            ))
            state.entries.append(entry)
            return true
        }
        if !inserted {
            storage.state.configuration.diagnostics(
                "Switchboard: route \(entry.method.map(String.init(describing:)) ?? "ALL") \(entry.pattern) is already registered; the new one is ignored"
            )
        }
    }

    /// Inserts every registered route again into a trie built for the current settings.
    private mutating func rebuildTrie() {
        let duplicates: [String] = update { state in
            state.trie = RouteTrie(foldsCase: state.configuration.caseInsensitive)
            var duplicates: [String] = []
            for (index, entry) in state.entries.enumerated()
            where !state.trie.insert(entry.pattern, method: entry.method, route: Int32(index)) {
                duplicates.append("\(entry.method.map(String.init(describing:)) ?? "ALL") \(entry.pattern)")
            }
            return duplicates
        }
        for route in duplicates {
            storage.state.configuration.diagnostics("Switchboard: route \(route) is already registered; the new one is ignored")
        }
    }

    private mutating func mount(_ child: Router, at prefix: PathPattern, relative: Bool) {
        let shift = relative ? prefix.segments.count : 0
        for entry in child.entries {
            let pattern = prefix.appending(entry.pattern)
            let parts = applicableMiddleware(for: pattern) + entry.middleware.map { ($0.0, depth: $0.depth + shift) }
            add(Entry(
                method: entry.method, pattern: pattern, middleware: parts, handler: entry.handler,
                handlerDepth: entry.handlerDepth + shift, isTyped: entry.isTyped
            ))
        }
    }

    private func applicableMiddleware(for pattern: PathPattern) -> [(Middleware, depth: Int)] {
        storage.state.scopedMiddleware.filter { pattern.starts(with: $0.prefix) }.map { ($0.middleware, depth: 0) }
    }

    private static func prefixPattern(_ text: String) -> PathPattern {
        let pattern = PathPattern(text)
        precondition(!pattern.segments.contains(.catchAll), "a mount or group prefix cannot contain `**`: \(text)")
        precondition(!pattern.lastIsOptional, "a mount or group prefix cannot end with an optional segment: \(text)")
        return pattern
    }

    private static func composeFallback(_ middleware: [Middleware]) -> Chain {
        Chain.compose(middleware.map { ($0, depth: 0) }, handler: .sync { req, res in
            if let reply = res.exchange.fallbackReply { res.status(reply.status).send(reply.body) }
        }, depth: 0)
    }

    // MARK: Matching

    /// The route that answers `method` for `url`, or `nil` when the reply would be a 404, 405
    /// or automatic OPTIONS. HEAD falls back to GET routes as when responding.
    ///
    /// Allocates nothing for routes without parameters and one array for routes with them.
    public func match(_ method: Method, _ url: String) -> RouteMatch? {
        guard case .route(let index, let bounds) = resolve(method, url) else { return nil }
        let route = storage.state.routes[index]
        return RouteMatch(
            pattern: route.pattern, method: route.method,
            parameters: Parameters(url: url, names: route.captureNames, bounds: bounds)
        )
    }

    private enum Resolution {
        case route(Int, bounds: [Int32])
        case unmatched(allowed: UInt8)
    }

    private func resolve(_ method: Method, _ url: String) -> Resolution {
        if let found = url.utf8.withContiguousStorageIfAvailable({ resolve(method, $0) }) { return found }
        var copy = url
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { resolve(method, $0) } ?? .unmatched(allowed: 0)
    }

    private func resolve(_ method: Method, _ url: UnsafeBufferPointer<UInt8>) -> Resolution {
        let pathEnd = url.firstIndex(of: UInt8(ascii: "?")) ?? url.count
        let path = UnsafeBufferPointer(rebasing: url[..<pathEnd])
        let trie = storage.state.trie
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(2, 2 * trie.maxCaptures)) { captures in
            guard let base = captures.baseAddress else { return .unmatched(allowed: 0) }
            // An optional segment that is absent leaves its capture at -1.
            captures.initialize(repeating: -1)
            var found = trie.route(for: method, path: path, captures: base)
            if found < 0 && method == .head { found = trie.route(for: .get, path: path, captures: base) }
            guard found >= 0 else { return .unmatched(allowed: trie.methods(matching: path)) }
            let count = 2 * storage.state.routes[Int(found)].captureNames.count
            let bounds = count == 0 ? [] : Array(UnsafeBufferPointer(rebasing: captures[..<count]))
            return .route(Int(found), bounds: bounds)
        }
    }

    // MARK: Responding

    /// Routes `request` through its route's middleware and handler; see the type's
    /// documentation for what answers when.
    public func respond(to request: Request) -> Dispatch {
        var pattern: String?
        return respond(to: request, pattern: &pattern)
    }

    /// Routes `request` as ``respond(to:)`` does, and sets `pattern` to the matched route's
    /// pattern (with mount and group prefixes), or `nil` when the reply is a 404, 405 or
    /// automatic OPTIONS.
    public func respond(to request: Request, pattern: inout String?) -> Dispatch {
        switch resolve(request.method, request.url) {
        case .route(let index, let bounds):
            let route = storage.state.routes[index]
            pattern = route.pattern
            if let bad = Router.malformedCapture(in: request.url, bounds: bounds) {
                let error = HTTPError(.badRequest, "malformed percent-encoding in path parameter \"\(route.captureNames[bad])\"")
                return .completed(Reply(status: error.status, body: request.method == .head ? [] : error.body))
            }
            let parameters = Parameters(url: request.url, names: route.captureNames, bounds: bounds)
            return run(route.chain, request, parameters: parameters, fallbackReply: nil)
        case .unmatched(let allowed):
            pattern = nil
            let reply = Router.fallbackReply(for: request.method, allowed: allowed)
            return run(storage.state.fallback, request, parameters: Parameters(), fallbackReply: reply)
        }
    }

    private func run(_ chain: Chain, _ incoming: Request, parameters: Parameters, fallbackReply: Reply?) -> Dispatch {
        let exchange = Exchange(for: incoming, fallbackReply: fallbackReply)
        var request = incoming
        request.params = parameters
        request.exchange = exchange
        let configuration = storage.state.configuration
        let diagnostics = configuration.diagnostics
        let response = Response(exchange: exchange, diagnostics: diagnostics)
        let deadline = configuration.handlerDeadline
        switch chain {
        case .sync(let body):
            do {
                try body(request, response)
            } catch {
                Router.answer(error, request, response, configuration)
            }
            if let (reply, pushes) = exchange.withLock({ $0.finishInline() }) {
                if !pushes.isEmpty { request.connection.publish(pushes) }
                return .completed(reply)
            }
            return .pending(PendingReply(exchange: exchange, deadline: deadline, work: nil))
        case .async(let body):
            return .pending(PendingReply(exchange: exchange, deadline: deadline) { [request] in
                do {
                    try await body(request, response)
                } catch {
                    Router.answer(error, request, response, configuration)
                }
                exchange.finishChain()
            })
        }
    }

    /// Answers an error that escaped the chain, unless a reply was already sent.
    private static func answer(_ error: any Error, _ request: Request, _ response: Response, _ configuration: RouterConfiguration) {
        guard !response.isSent else {
            if !(error is CancellationError) {
                configuration.diagnostics("Switchboard: error after the response was sent: \(String(reflecting: error))")
            }
            return
        }
        if let convertible = error as? any HTTPErrorConvertible {
            let error = convertible.httpError
            response.status(error.status).send(error.body)
        } else {
            if let report = configuration.unhandledError {
                report(request, error)
            } else {
                configuration.diagnostics("Switchboard: unhandled error answered 500: \(String(reflecting: error))")
            }
            let error = HTTPError(.internalServerError)
            response.status(error.status).send(error.body)
        }
    }

    /// The index of the first capture with a malformed escape, or `nil`.
    private static func malformedCapture(in url: String, bounds: [Int32]) -> Int? {
        guard !bounds.isEmpty else { return nil }
        let utf8 = url.utf8
        for capture in stride(from: 0, to: bounds.count, by: 2) where bounds[capture] >= 0 {
            let start = utf8.index(utf8.startIndex, offsetBy: Int(bounds[capture]))
            let end = utf8.index(utf8.startIndex, offsetBy: Int(bounds[capture + 1]))
            if !PercentEncoding.isValid(utf8[start..<end]) { return capture / 2 }
        }
        return nil
    }

    /// The 404, 405 or automatic OPTIONS reply; bodies are built once, not per request.
    private static func fallbackReply(for method: Method, allowed mask: UInt8) -> Reply {
        guard mask != 0 else { return Reply(status: .notFound, body: notFoundBody) }
        if method == .options { return Reply(status: .ok, body: optionsBodies[Int(mask)]) }
        return Reply(status: .methodNotAllowed, body: methodNotAllowedBodies[Int(mask)])
    }

    private static let notFoundBody = HTTPError(.notFound).body
    /// The JSON `allowed` list for every mask of methods with a route.
    private static let allowLists: [String] = (0...255).map { allowList(UInt8($0)) }
    private static let optionsBodies = allowLists.map { ArraySlice("{\"allowed\":\($0)}".utf8) }
    private static let methodNotAllowedBodies = allowLists.map {
        ArraySlice("{\"error\":\"method not allowed\",\"allowed\":\($0)}".utf8)
    }

    private static func allowList(_ mask: UInt8) -> String {
        var names = Method.allCases.filter { mask & RouteTrie.bit($0) != 0 }.map(\.description)
        if mask & RouteTrie.bit(.get) != 0 && !names.contains("HEAD") { names.append("HEAD") }
        if !names.contains("OPTIONS") { names.append("OPTIONS") }
        names.sort { (Method(name: $0)?.rawValue ?? 0) < (Method(name: $1)?.rawValue ?? 0) }
        return "[" + names.map(JSONText.string).joined(separator: ",") + "]"
    }
}
