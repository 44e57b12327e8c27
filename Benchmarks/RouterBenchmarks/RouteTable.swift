import Foundation
import SwitchboardCore

/// One route of the benchmark table: a method and a `:param` path pattern.
struct Route: Sendable {
    /// Position in ``RouteTable/routes``; what every router under test returns on a match.
    let index: Int
    let method: SwitchboardCore.Method
    /// e.g. `/repos/:owner/:repo/issues/:issue_number/comments`.
    let pattern: String
}

/// One path to look up, with the route that must match it.
struct Lookup: Sendable {
    let method: SwitchboardCore.Method
    /// e.g. `/repos/apple/swift-nio/issues/2345/comments` (no query string).
    let path: String
    /// The index of the route that must match, or `nil` for a 404.
    let expected: Int?
    /// Which group of lookups this is, by its expected route.
    let category: LookupCategory
}

/// The groups lookups are measured in, so that static routes and routes with parameters
/// (whose allocation budgets differ) are reported apart.
enum LookupCategory: String, CaseIterable, Sendable {
    case staticRoute = "static"
    case parameterized = "params"
    case notFound = "404"
}

/// The route table and lookups from `Resources/github-routes.txt` and `github-paths.txt`.
struct RouteTable: Sendable {
    let routes: [Route]
    let lookups: [Lookup]

    /// Loads and cross-checks both files; stops the benchmark run on any error, since figures
    /// measured on a broken table would mean nothing.
    static func load() -> RouteTable {
        let routes = lines(of: "github-routes").enumerated().map { index, line in
            let (method, pattern) = methodAndRest(line)
            return Route(index: index, method: method, pattern: pattern)
        }
        var routeIndex: [String: Int] = [:]
        for route in routes {
            let key = "\(route.method) \(route.pattern)"
            precondition(routeIndex[key] == nil, "duplicate route \(key)")
            routeIndex[key] = route.index
        }
        let lookups = lines(of: "github-paths").map { line in
            let (method, rest) = methodAndRest(line)
            let fields = rest.split(separator: " ")
            precondition(fields.count == 2, "expected `METHOD path pattern-or--`: \(line)")
            let pattern = String(fields[1])
            var expected: Int?
            if pattern != "-" {
                guard let index = routeIndex["\(method) \(pattern)"] else {
                    fatalError("lookup expects a route the table lacks: \(line)")
                }
                expected = index
            }
            let category: LookupCategory =
                expected == nil ? .notFound : pattern.contains(":") ? .parameterized : .staticRoute
            return Lookup(method: method, path: String(fields[0]), expected: expected, category: category)
        }
        return RouteTable(routes: routes, lookups: lookups)
    }

    private static func lines(of resource: String) -> [String] {
        guard let url = Bundle.module.url(forResource: resource, withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { fatalError("missing resource \(resource).txt") }
        return text.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    private static func methodAndRest(_ line: String) -> (SwitchboardCore.Method, String) {
        guard let space = line.firstIndex(of: " "), let method = Method(name: String(line[..<space])) else {
            fatalError("expected `METHOD /path`: \(line)")
        }
        return (method, String(line[line.index(after: space)...]))
    }
}
