import Benchmark
import SwitchboardCore

/// Switchboard's `Router` on the same table and paths as the baselines.
///
/// - `Switchboard-static|params|404|mixed`: `Router.match(_:_:)`, the lookup alone (method
///   included: HEAD-to-GET fallback and 405 detection are inside it), answering the matched
///   pattern and the parameters as byte ranges into the url (decoded only when a handler reads
///   them). `match` answers the route's pattern, not a value of ours, so turning it back into
///   the table's route index (a dictionary lookup on the pattern) is done only when checking
///   the answers before measuring; what is timed is `match` and a `blackHole` of its result.
///   Allocation thresholds (issue 3): 0 per static lookup, ≤ 1 with parameters.
/// - `Switchboard-respond-sync[-static|-params|-404]`: the whole synchronous request path a
///   server pays per request, `Router.respond(to:)` on prebuilt `Request`s from one in-memory
///   connection: lookup, percent-escape check, the per-request exchange and response, the
///   route's synchronous handler sending a small prebuilt body (`{"route":<index>}`), and
///   for a `-` lookup the router's own 404 or 405 reply. Compare with `HummingbirdResponder-*`.
func registerSwitchboardRouterBenchmarks(routes: [Route], paths: [Lookup]) {
    let router = switchboardRouter(routes)
    var indexByRoute: [String: Int] = [:]
    for route in routes {
        indexByRoute["\(route.method) \(route.pattern)"] = route.index
    }

    // Lookups.
    var configuration = Benchmark.defaultConfiguration
    configuration.thresholds = [
        // Allocation counts are exact: any change is a regression (or an improvement to record).
        .mallocCountTotal: .init(absolute: [.p90: 0]),
    ]
    registerLookupBenchmarks(
        router: "Switchboard",
        paths: paths,
        configuration: configuration,
        check: { lookup in
            guard let found = router.match(lookup.method, lookup.path) else { return nil }
            precondition(found.parameters.count == found.pattern.split(separator: "/").filter { $0.hasPrefix(":") }.count)
            return indexByRoute["\(found.method.map(String.init(describing:)) ?? "ALL") \(found.pattern)"]
        },
        measure: { lookup in
            blackHole(router.match(lookup.method, lookup.path))
        }
    )

    // The full synchronous request path.
    let connection = BenchmarkConnection()
    @Sendable func respond(_ request: Request) -> Reply? {
        guard case .completed(let reply) = router.respond(to: request) else { return nil }
        return reply
    }
    for category in [nil] + LookupCategory.allCases {
        let lookups = repeated(paths, category, count: lookupsPerIteration)
        let requests = lookups.enumerated().map { id, lookup in
            Request(method: lookup.method, url: lookup.path, body: [], id: UInt32(id), connection: connection)
        }
        for (lookup, request) in zip(lookups, requests) {
            guard let reply = respond(request) else {
                fatalError("Switchboard-respond-sync: \(lookup.method) \(lookup.path) was not answered inline")
            }
            // A `-` lookup is a 404, or a 405 when the path has routes for other methods.
            let body = String(decoding: reply.body, as: UTF8.self)
            let answered = if let expected = lookup.expected {
                reply.status == .ok && body == #"{"route":\#(expected)}"#
            } else {
                (reply.status == .notFound || reply.status == .methodNotAllowed) && body.hasPrefix(#"{"error":"#)
            }
            guard answered else {
                fatalError("Switchboard-respond-sync: \(lookup.method) \(lookup.path) answered \(reply.status) \(body), expected route \(lookup.expected.map(String.init) ?? "none")")
            }
        }
        Benchmark("Switchboard-respond-sync\(category.map { "-\($0.rawValue)" } ?? "")") { _ in
            for request in requests {
                blackHole(respond(request))
            }
        }
    }
}

/// A router with one synchronous handler per route, answering 200 `{"route":<index>}`.
private func switchboardRouter(_ routes: [Route]) -> Router {
    var router = Router()
    for route in routes {
        let body = ArraySlice(#"{"route":\#(route.index)}"#.utf8)
        let handler: @Sendable (Request, Response) throws -> Void = { _, res in res.send(body) }
        switch route.method {
        case .get: router.get(route.pattern, handler: handler)
        case .post: router.post(route.pattern, handler: handler)
        case .put: router.put(route.pattern, handler: handler)
        case .patch: router.patch(route.pattern, handler: handler)
        case .delete: router.delete(route.pattern, handler: handler)
        case .head: router.head(route.pattern, handler: handler)
        case .options: router.options(route.pattern, handler: handler)
        }
    }
    return router
}

/// The least a connection can be: an id, no client id, no identity, rooms of its own, and
/// pushes dropped (the benchmarked routes push nothing).
final class BenchmarkConnection: ConnectionContext {
    let id = ConnectionID("bench-1")
    let clientId: String? = nil
    let identity: Identity? = nil
    let roomRegistry = RoomRegistry()
    func publish(_ pushes: [Push]) {}
}
