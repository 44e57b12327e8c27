import Foundation
import Testing
@testable import SwitchboardCore

@Suite("Typed routes")
struct TypedRouteTests {
    struct Board: Codable, Equatable, Sendable {
        var id: String
        var name: String
    }

    struct NewBoard: Codable, Sendable {
        var name: String
    }

    enum API {
        static let getBoard = Route<Empty, Board>.get("/boards/:id")
        static let createBoard = Route<NewBoard, Board>.post("/boards", successStatus: .created)
        static let file = Route<Empty, Empty>.get("/files/:owner/**")
    }

    @Test("a registered typed route decodes its input and encodes its output with its status")
    func register() async throws {
        var router = Router()
        router.register(API.getBoard) { req, _ in Board(id: try req.params.require("id"), name: "Plans") }
        router.register(API.createBoard) { _, input async in Board(id: "new", name: input.name) }
        let got = await send(router, try API.getBoard.url(params: ["id": "7"]))
        #expect(got.status == .ok)
        #expect(got.inline)
        #expect(try JSONDecoder().decode(Board.self, from: Data(got.body.utf8)) == Board(id: "7", name: "Plans"))
        let made = await send(router, .post, try API.createBoard.url(), body: #"{"name":"Ideas"}"#)
        #expect(made.status == .created)
        #expect(try JSONDecoder().decode(Board.self, from: Data(made.body.utf8)) == Board(id: "new", name: "Ideas"))
        #expect(await send(router, .post, "/boards", body: #"{"title":1}"#).status == .badRequest)
    }

    @Test("url(params:) encodes values, keeps catch-all slashes and appends the query")
    func urlBuilding() throws {
        #expect(try API.getBoard.url(params: ["id": "a b/c"]) == "/boards/a%20b%2Fc")
        #expect(try API.file.url(params: ["owner": "me", "**": "docs/read me.md"], query: [("v", "1&2")]) == "/files/me/docs/read%20me.md?v=1%262")
        #expect(throws: RouteURLError.missingParameter("id")) { try API.getBoard.url() }
        #expect(throws: RouteURLError.emptyParameter("id")) { try API.getBoard.url(params: ["id": ""]) }
    }

    @Test("a url built by a route is matched back to the same route with the same values")
    func roundTrip() throws {
        var router = Router()
        router.register(API.getBoard) { _, _ in Board(id: "", name: "") }
        let url = try API.getBoard.url(params: ["id": "ü/%?&"])
        #expect(router.match(.get, url)?.parameters["id"] == "ü/%?&")
    }
}
