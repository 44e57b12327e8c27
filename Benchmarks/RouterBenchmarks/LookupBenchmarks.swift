import Benchmark

/// Lookups per benchmark iteration. Iterations are scaled by `.kilo`, so every figure the
/// plugin prints is per lookup.
let lookupsPerIteration = 1_000

/// Registers a router's lookup benchmarks, one per group of paths:
/// `"<router>-mixed"` (every path of the table, in file order), `"<router>-static"`,
/// `"<router>-params"` and `"<router>-404"`. (No spaces in names: see WireBenchmarks.swift.)
///
/// First runs `match` on every path and stops the run unless it returns each path's expected
/// route index (or `nil` for a 404): a router that answers wrongly is not benchmarked.
///
/// - Parameter match: Looks up one path and returns the matched ``Route/index``. It must do
///   the whole lookup a request would need, including extracting the parameters (pass them
///   to `blackHole` so that the optimiser cannot drop the work).
func registerLookupBenchmarks(router: String, paths: [Lookup], match: @escaping (Lookup) -> Int?) {
    for path in paths {
        let found = match(path)
        guard found == path.expected else {
            fatalError("\(router) matched \(path.method) \(path.path) to route \(found.map(String.init) ?? "none"), expected \(path.expected.map(String.init) ?? "none")")
        }
    }
    for category in [nil] + LookupCategory.allCases {
        let lookups = repeated(paths, category, count: lookupsPerIteration)
        Benchmark("\(router)-\(category?.rawValue ?? "mixed")") { _ in
            for lookup in lookups {
                blackHole(match(lookup))
            }
        }
    }
}

/// Like ``registerLookupBenchmarks(router:paths:match:)``, for a router whose lookup does not
/// answer a ``Route/index`` by itself (Switchboard's answers the matched pattern): `check`
/// looks a path up and turns the answer into the route index, and runs once per path before
/// measuring; `measure` is what is timed: the same lookup without that translation, which is
/// not routing work. `measure` must `blackHole` the answer, parameters included.
///
/// - Parameter configuration: e.g. allocation thresholds for this router's benchmarks.
func registerLookupBenchmarks(
    router: String,
    paths: [Lookup],
    configuration: Benchmark.Configuration,
    check: (Lookup) -> Int?,
    measure: @escaping (Lookup) -> Void
) {
    for path in paths {
        let found = check(path)
        guard found == path.expected else {
            fatalError("\(router) matched \(path.method) \(path.path) to route \(found.map(String.init) ?? "none"), expected \(path.expected.map(String.init) ?? "none")")
        }
    }
    for category in [nil] + LookupCategory.allCases {
        let lookups = repeated(paths, category, count: lookupsPerIteration)
        Benchmark("\(router)-\(category?.rawValue ?? "mixed")", configuration: configuration) { _ in
            for lookup in lookups {
                measure(lookup)
            }
        }
    }
}

/// `paths` of `category` (all for `nil`), repeated to exactly `count` entries.
func repeated(_ paths: [Lookup], _ category: LookupCategory?, count: Int) -> [Lookup] {
    let chosen = paths.filter { category == nil || $0.category == category }
    precondition(!chosen.isEmpty, "no lookups in category \(category?.rawValue ?? "mixed")")
    return (0..<count).map { chosen[$0 % chosen.count] }
}
