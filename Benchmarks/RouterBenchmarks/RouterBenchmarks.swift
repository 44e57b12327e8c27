import Benchmark

// Path lookups on a GitHub-REST-shaped table (Resources/github-routes.txt, 478 routes on 325
// paths) for the paths in Resources/github-paths.txt (30 static, 65 with 1-3 parameters,
// 5 not found), per issue 3. Every router runs the same lookups in the same run, so figures
// are read as ratios to each other and to the floor (one pass over the path's bytes).
//
// Switchboard's router is SwitchboardRouterBenchmarks.swift: its lookups (`match`) beside the
// baselines, with allocation thresholds, and its whole synchronous request path
// (`Switchboard-respond-sync*`, to read against `HummingbirdResponder-*`).
// RegistrationBenchmarks.swift times building a 10,000-route router (`Switchboard-register-10k`).

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
    registerSwitchboardRouterBenchmarks(routes: table.routes, paths: table.lookups)
    registerSwitchboardRegistrationBenchmark()
}
