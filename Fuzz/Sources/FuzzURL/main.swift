@testable import SwitchboardCore

/// Routes covering every kind of segment, matched against fuzzed urls.
enum Routes {
    static let patterns = [
        "/", "/boards", "/boards/:id", "/boards/:id/tasks/:task", "/files/**", "/docs/**?",
        "/users/:name?", "/wild/*/end", "/assets/:name.:ext", "/range/:from-:to", "/report/:id.json",
        "/a/b/c/d", "/a/:x/c/:y", "/Mixed/Case",
    ]

    static func router(caseInsensitive: Bool) -> Router {
        var router = Router(configuration: RouterConfiguration(caseInsensitive: caseInsensitive, diagnostics: { _ in }))
        for pattern in patterns {
            router.get(pattern) { _, _ in }
            router.post(pattern) { _, _ in }
        }
        router.all("/any/:thing") { _, _ in }
        return router
    }

    static let sensitive = router(caseInsensitive: false)
    static let folding = router(caseInsensitive: true)
}

/// libFuzzer entry: one input is a request url, as a frame's url field carries it.
///
/// Checked for every input: matching it against routers with every kind of segment never traps,
/// for every method; every parameter of a match reads without trapping (decoded, or `nil`
/// for a malformed escape); the query parser answers every read with values or a 400; and a
/// match's pattern is one that was registered; percent-decoding fails exactly where the escape
/// check does, and decoding what encoding made gives the text back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    for router in [Routes.sensitive, Routes.folding] {
        for method in Method.allCases {
            guard let match = router.match(method, url) else { continue }
            precondition(Routes.patterns.contains(match.pattern) || match.pattern == "/any/:thing", "unknown pattern \(match.pattern)")
            for index in 0..<match.parameters.count { _ = match.parameters.value(at: index) }
            _ = match.parameters.dictionary
            _ = match.parameters.catchAll
        }
    }
    let decoded = PercentEncoding.decode(url.utf8)
    precondition((decoded != nil) == PercentEncoding.isValid(url.utf8), "decode and isValid disagree on \(url)")
    precondition(PercentEncoding.decode(PercentEncoding.encode(url).utf8) == url, "encode then decode changed \(url)")
    let query = Query(url: url)
    _ = query.rawValue
    if let items = try? query.items {
        for (name, value) in items.prefix(4) {
            let all = try? query.all(name)
            precondition(all?.contains(value) == true, "all(\(name)) misses \(value) in \(url)")
            precondition((try? query[name]) != nil, "query[\(name)] is nil in \(url)")
            precondition((try? query.contains(name)) == true, "contains(\(name)) is false in \(url)")
        }
    } else {
        _ = try? query["page"]
        _ = try? query.all("a")
        _ = try? query.contains("q")
    }
    return 0
}
