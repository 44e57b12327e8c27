import Benchmark

// Path lookups on a GitHub-REST-shaped table (Resources/github-routes.txt, 478 routes on 325
// paths) for the paths in Resources/github-paths.txt (30 static, 65 with 1-3 parameters,
// 5 not found), per issue 3. Every router runs the same lookups in the same run, so figures
// are read as ratios to each other and to the floor (one pass over the path's bytes).
//
// Adding Switchboard's router, when it lands, is one function in a new file
// SwitchboardRouterBenchmarks.swift, called below beside the baselines:
//
//     func registerSwitchboardRouterBenchmarks(routes: [Route], paths: [Lookup]) {
//         let router = /* a Router with one handler per route, answering route.index */
//         registerLookupBenchmarks(router: "Switchboard", paths: paths) { lookup in
//             /* match lookup.method + lookup.path; blackHole the params; return the index */
//         }
//     }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 10_000
    )

    let table = RouteTable.load()
    registerPathScanBaseline(paths: table.lookups)
    registerRoutingKitBenchmarks(routes: table.routes, paths: table.lookups)
    registerHummingbirdTrieBenchmarks(routes: table.routes, paths: table.lookups)
    registerHummingbirdResponderBenchmarks(routes: table.routes, paths: table.lookups)
}
