import Benchmark
import Logging
import RoutingKit

/// vapor/routing-kit's `TrieRouter`, driven the way Vapor's default responder drives it: the
/// method is the first path component, and the path is split into `[String]` per request.
/// One `Logger` is made up front (`Parameters()` would make a new one per lookup, which is
/// not routing work).
func registerRoutingKitBenchmarks(routes: [Route], paths: [Lookup]) {
    let router = TrieRouter(Int.self)
    for route in routes {
        router.register(route.index, at: [.constant(route.method.description)] + route.pattern.pathComponents)
    }
    let logger = Logger(label: "RouterBenchmarks.RoutingKit")
    registerLookupBenchmarks(router: "RoutingKit", paths: paths) { lookup in
        var parameters = Parameters(logger)
        let components = [lookup.method.description] + lookup.path.split(separator: "/").map(String.init)
        let index = router.route(path: components, parameters: &parameters)
        blackHole(parameters)
        return index
    }
}
