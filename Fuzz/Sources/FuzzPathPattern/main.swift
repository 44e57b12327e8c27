import Synchronization

@testable import SwitchboardCore

/// Counts the router's diagnostics, which report a route ignored as a duplicate.
final class DiagnosticCount: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func record(_ message: String) { count.withLock { $0 += 1 } }
}

/// libFuzzer entry: the input's lines are route patterns (at most 8) and the last line is a
/// parameter value; each pattern goes to the pattern parser, the valid ones to routers.
///
/// Checked for every input: parsing never traps; a parsed pattern's canonical text parses to the
/// same pattern; the url a valid pattern builds (`PathPattern.url(params:)`) is matched by a
/// router holding only that pattern, giving back every parameter value decoded; and a router
/// holding all the valid patterns (case-sensitive, and folding case) matches that url, unless
/// it ignored the pattern as a duplicate, with a route whose own pattern matches it too, in a
/// router of the same case mode.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let lines = UnsafeRawBufferPointer(start: start, count: count)
        .split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    let texts = lines.count > 1 ? Array(lines.dropLast().prefix(8)) : lines
    let rawValue = lines.count > 1 ? lines[lines.count - 1] : ""
    // Compound segments split parameters on `.` and `-` (taking the shortest text), so values
    // leave those out to be read back whole; catch-all values have no empty segments.
    var value = String(rawValue.unicodeScalars.filter { $0 != "." && $0 != "-" && $0 != "/" }.map(Character.init))
    if value.isEmpty { value = "v" }
    let catchAll = value + "/" + value

    var patterns: [PathPattern] = []
    for text in texts {
        guard case .success(let pattern) = PathPattern.parse(text) else { continue }
        guard case .success(let again) = PathPattern.parse(pattern.description) else {
            preconditionFailure("the canonical text \(pattern.description) of \(text) does not parse")
        }
        precondition(again == pattern, "the canonical text \(pattern.description) of \(text) parses differently")
        patterns.append(pattern)
    }
    guard !patterns.isEmpty else { return 0 }

    let quiet = RouterConfiguration(diagnostics: { _ in })
    let quietFolding = RouterConfiguration(caseInsensitive: true, diagnostics: { _ in })
    let ignored = DiagnosticCount()
    let ignoredFolding = DiagnosticCount()
    var all = Router(configuration: RouterConfiguration(diagnostics: ignored.record))
    var folding = Router(configuration: RouterConfiguration(caseInsensitive: true, diagnostics: ignoredFolding.record))
    // Patterns each shared router kept: one whose shape (or, for an optional last segment,
    // either shape) is already registered is ignored as a duplicate.
    var kept: Set<String> = []
    var keptFolding: Set<String> = []
    var single: [String: Router] = [:]
    var singleFolding: [String: Router] = [:]
    for pattern in patterns {
        let before = (ignored.value, ignoredFolding.value)
        all.get(pattern.description) { _, _ in }
        folding.get(pattern.description) { _, _ in }
        if ignored.value == before.0 { kept.insert(pattern.description) }
        if ignoredFolding.value == before.1 { keptFolding.insert(pattern.description) }
        var router = Router(configuration: quiet)
        router.get(pattern.description) { _, _ in }
        single[pattern.description] = router
        var foldingRouter = Router(configuration: quietFolding)
        foldingRouter.get(pattern.description) { _, _ in }
        singleFolding[pattern.description] = foldingRouter
    }

    for (index, pattern) in patterns.enumerated() {
        // Every other pattern leaves its optional last segment out.
        let omitsOptional = pattern.lastIsOptional && index % 2 == 1
        var params: [String: String] = [:]
        var expected: [String?] = []
        for (capture, name) in pattern.captureNames.enumerated() {
            let isLastOptional = omitsOptional && capture == pattern.captureNames.count - 1
            let isCatchAll = name == "**" && pattern.segments.last == .catchAll
            if isLastOptional {
                expected.append(isCatchAll ? "" : nil)
            } else {
                params[name] = isCatchAll || name == "**" ? catchAll : value
                expected.append(params[name])
            }
        }
        let url: String
        do {
            url = try pattern.url(params: params)
        } catch {
            preconditionFailure("pattern \(pattern) cannot build a url from \(params): \(error)")
        }
        guard let match = single[pattern.description]?.match(.get, url) else {
            preconditionFailure("pattern \(pattern) does not match its own url \(url)")
        }
        for (capture, value) in expected.enumerated() {
            let found = match.parameters.value(at: capture)
            precondition(found == value, "pattern \(pattern), url \(url): capture \(capture) is \(found ?? "nil"), expected \(value ?? "nil")")
        }
        for (router, alone, keeps) in [(all, single, kept), (folding, singleFolding, keptFolding)] {
            guard let found = router.match(.get, url) else {
                if !keeps.contains(pattern.description) { continue }
                preconditionFailure("no route of \(patterns) matches \(url), built from \(pattern)")
            }
            precondition(alone[found.pattern]?.match(.get, url) != nil, "route \(found.pattern) was chosen for \(url) but does not match it alone")
        }
    }
    return 0
}
