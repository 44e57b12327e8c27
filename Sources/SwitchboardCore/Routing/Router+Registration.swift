/// Registration: `use`, groups, mounts and routes, each composing its middleware chain once
/// and inserting the route into the trie.
extension Router {
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
    mutating func rebuildTrie() {
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

    static func composeFallback(_ middleware: [Middleware]) -> Chain {
        Chain.compose(middleware.map { ($0, depth: 0) }, handler: .sync { req, res in
            if let reply = res.exchange.fallbackReply { res.status(reply.status).send(reply.body) }
        }, depth: 0)
    }
}
