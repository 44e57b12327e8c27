import Benchmark
import SwitchboardCore

/// `Switchboard-register-10k`: building a `Router` of 10,000 GET routes (static and `:id`
/// segments under 10 version prefixes, `/api/v3/resource417/:id/items`), one `get` call each,
/// as an app with a large table does at start-up. Registration must stay near-linear in the
/// number of routes: before it was, 6,000 routes took 49 s in a debug build.
func registerSwitchboardRegistrationBenchmark() {
    let patterns = (0..<10_000).map { index in
        "/api/v\(index % 10)/resource\(index / 10)/:id/\(index % 3 == 0 ? "items" : "tags\(index % 7)")"
    }
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 20
    )
    Benchmark("Switchboard-register-10k", configuration: configuration) { _ in
        var router = Router()
        for pattern in patterns {
            router.get(pattern) { _, res in res.end() }
        }
        precondition(router.match(.get, "/api/v9/resource999/7/items") != nil)
        blackHole(router)
    }
}
