import Benchmark
@_spi(Internal) import Hummingbird
import SwitchboardCore

/// Hummingbird's router trie on its own: `RouterTrie.resolve(_:)` (the lookup
/// `RouterResponder.respond` does first), then the method's entry in a per-path dictionary, as
/// Hummingbird's `EndpointResponders` does. `resolve` is public; building a `RouterTrie`
/// without a `Router` needs Hummingbird's `@_spi(Internal)` `RouterPathTrieBuilder`, so this
/// baseline may need adjusting when Hummingbird changes. The public-API figure is
/// ``registerHummingbirdResponderBenchmarks(routes:paths:)``.
func registerHummingbirdTrieBenchmarks(routes: [Route], paths: [Lookup]) {
    var methodsByPattern: [String: [SwitchboardCore.Method: Int]] = [:]
    var patterns: [String] = []
    for route in routes {
        if methodsByPattern[route.pattern] == nil { patterns.append(route.pattern) }
        methodsByPattern[route.pattern, default: [:]][route.method] = route.index
    }
    let builder = RouterPathTrieBuilder<MethodTable>()
    for pattern in patterns {
        builder.addEntry(RouterPath(pattern), value: MethodTable(indices: methodsByPattern[pattern] ?? [:]))
    }
    let trie = builder.build()
    registerLookupBenchmarks(router: "HummingbirdTrie", paths: paths) { lookup in
        guard let (table, parameters) = trie.resolve(lookup.path) else { return nil }
        blackHole(parameters)
        return table.indices[lookup.method]
    }
}

/// The routes of one path pattern, by method.
struct MethodTable: Sendable {
    let indices: [SwitchboardCore.Method: Int]
}
