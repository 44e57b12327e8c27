/// Matching and responding: a request looked up in the trie, then run through its chain or
/// answered with a fallback reply.
extension Router {
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
