import Benchmark
import Hummingbird
import Logging
import SwitchboardCore

/// Hummingbird's router through its public API only: `Router.buildResponder()` and
/// `RouterResponder.respond(to:context:)`, the whole responder path short of a server. Besides
/// the trie lookup this includes the method lookup, storing parameters and the endpoint path in
/// the context, calling the handler through its middleware-free responder, building the
/// `Response`, and for a 404 throwing and catching `HTTPError`. Requests and the context are
/// made before measuring. Each handler answers status `520 + route index`, so the harness can
/// check which route matched.
func registerHummingbirdResponderBenchmarks(routes: [Route], paths: [Lookup]) {
    let router = Router(context: LookupContext.self)
    for route in routes {
        let status = HTTPResponse.Status(code: statusBase + route.index)
        router.on(RouterPath(route.pattern), method: HTTPRequest.Method(route.method)) { _, _ in status }
    }
    let responder = router.buildResponder()
    let context = LookupContext(source: LookupContextSource(logger: Logger(label: "RouterBenchmarks.Hummingbird")))

    @Sendable func match(_ request: Request) async -> Int? {
        guard let response = try? await responder.respond(to: request, context: context) else { return -1 }
        let code = response.status.code
        return code >= statusBase ? code - statusBase : nil
    }

    for category in [nil] + LookupCategory.allCases {
        let lookups = repeated(paths, category, count: lookupsPerIteration)
        let requests = lookups.map(Request.init(lookup:))
        let check: Benchmark.BenchmarkSetupHook = {
            for (lookup, request) in zip(lookups, requests) {
                let found = await match(request)
                guard found == lookup.expected else {
                    fatalError("HummingbirdResponder matched \(lookup.method) \(lookup.path) to route \(found.map(String.init) ?? "none"), expected \(lookup.expected.map(String.init) ?? "none")")
                }
            }
        }
        Benchmark(
            "HummingbirdResponder-\(category?.rawValue ?? "mixed")",
            configuration: .init(setup: check)
        ) { _ in
            for request in requests {
                blackHole(await match(request))
            }
        }
    }
}

private let statusBase = 520

/// A request context with nothing but what Hummingbird needs.
struct LookupContext: RequestContext {
    typealias Source = LookupContextSource

    var coreContext: CoreRequestContextStorage

    init(source: LookupContextSource) {
        self.coreContext = .init(source: source)
    }
}

/// Where a ``LookupContext`` comes from: only a logger, no channel.
struct LookupContextSource: RequestContextSource {
    let logger: Logger
}

extension HTTPRequest.Method {
    init(_ method: SwitchboardCore.Method) {
        switch method {
        case .get: self = .get
        case .post: self = .post
        case .put: self = .put
        case .patch: self = .patch
        case .delete: self = .delete
        case .head: self = .head
        case .options: self = .options
        }
    }
}

extension Request {
    init(lookup: Lookup) {
        self.init(
            head: HTTPRequest(method: HTTPRequest.Method(lookup.method), scheme: "http", authority: "localhost", path: lookup.path),
            body: RequestBody(buffer: ByteBuffer())
        )
    }
}
