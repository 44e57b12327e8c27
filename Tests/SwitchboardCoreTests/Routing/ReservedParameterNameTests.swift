import Testing
@testable import SwitchboardCore

@Suite("Parameter names reserved for the wildcard and the catch-all")
struct ReservedParameterNameTests {
    static func problem(_ text: String) -> String? {
        if case .failure(let error) = PathPattern.parse(text) { return error.description }
        return nil
    }

    @Test("a parameter named * or ** is refused, so an absent optional :**? cannot read as an empty catch-all")
    func reservedNames() {
        let reason = "`params[\"*\"]` and `params[\"**\"]` read the wildcard and the catch-all"
        #expect(Self.problem("/docs/:**?") == "parameter name `:**` is reserved: \(reason)")
        #expect(Self.problem("/docs/:**") == "parameter name `:**` is reserved: \(reason)")
        #expect(Self.problem("/a/:*") == "parameter name `:*` is reserved: \(reason)")
        #expect(Self.problem("/a/:*.:ext") == "parameter name `:*` is reserved: \(reason)")
    }

    @Test("names that only contain * stay allowed, and * and ** keep reading the wildcard and catch-all")
    func otherNames() {
        #expect(Self.problem("/a/:x*") == nil)
        #expect(Self.problem("/a/:***") == nil)
        var router = Router()
        router.get("/docs/*/**?") { _, _ in }
        let match = router.match(.get, "/docs/guide")
        #expect(match?.parameters["*"] == "guide")
        #expect(match?.parameters["**"] == "")
    }
}
