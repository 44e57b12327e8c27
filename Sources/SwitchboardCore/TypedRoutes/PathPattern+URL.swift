extension PathPattern {
    /// The url this pattern stands for: each `:name` replaced by `params[name]`, `*` by
    /// `params["*"]` and `**` by `params["**"]` (slashes kept), values percent-encoded, then
    /// `query` items, in order, percent-encoded; an optional last segment (`:name?`, `**?`) is
    /// left out when `params` has no value for it. Shared by ``Route`` and ``PushEvent``.
    func url(params: [String: String], query: [(name: String, value: String)] = []) throws(RouteURLError) -> String {
        var url = ""
        for (index, segment) in segments.enumerated() {
            // An optional last segment (`:name?`, `**?`) is left out when it has no value.
            if lastIsOptional && index == segments.count - 1 {
                switch segment {
                case .parameter(let name) where params[name] == nil: continue
                case .catchAll where (params["**"] ?? "").isEmpty: continue
                default: break
                }
            }
            url += "/"
            switch segment {
            case .compound(let pieces):
                for piece in pieces {
                    switch piece {
                    case .literal(let bytes): url += String(decoding: bytes, as: UTF8.self)
                    case .parameter(let name): url += try Self.value(of: name, in: params)
                    }
                }
            case .literal(let bytes):
                url += String(decoding: bytes, as: UTF8.self)
            case .parameter(let name):
                url += try Self.value(of: name, in: params)
            case .wildcard:
                url += try Self.value(of: "*", in: params)
            case .catchAll:
                guard let value = params["**"] else { throw .missingParameter("**") }
                url += value.split(separator: "/", omittingEmptySubsequences: true)
                    .map { PercentEncoding.encode(String($0)) }.joined(separator: "/")
            }
        }
        if url.isEmpty { url = "/" }
        if !query.isEmpty {
            url += "?" + query.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }
                .joined(separator: "&")
        }
        return url
    }

    private static func value(of name: String, in params: [String: String]) throws(RouteURLError) -> String {
        guard let value = params[name] else { throw .missingParameter(name) }
        guard !value.isEmpty else { throw .emptyParameter(name) }
        return PercentEncoding.encode(value)
    }
}
