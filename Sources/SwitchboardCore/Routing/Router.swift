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
    private(set) var storage: Storage

    final class Storage: Sendable {
        let state: State
        init(_ state: State) { self.state = state }
    }

    struct State: Sendable {
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
    mutating func update<Result>(_ body: (inout State) -> Result) -> Result {
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
    struct CompiledRoute: Sendable {
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
}
