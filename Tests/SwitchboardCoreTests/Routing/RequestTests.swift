import Foundation
import Testing
@testable import SwitchboardCore

@Suite("Request identity and body decoding")
struct RequestTests {
    struct NewTodo: Decodable {
        struct Meta: Decodable { var priority: Int }
        var title: String
        var meta: Meta?
        var tags: [String]?
    }

    private func request(body: String = "", identity: Identity? = nil) -> Request {
        Request(method: .post, url: "/todos", body: ArraySlice(body.utf8), id: 1, connection: FakeConnection(identity: identity))
    }

    @Test("requireIdentity returns the identity, or throws 401 authentication required")
    func requireIdentity() throws {
        #expect(try request(identity: Identity(userId: "u1")).requireIdentity().userId == "u1")
        #expect(throws: HTTPError(.unauthorized, "authentication required")) { try request().requireIdentity() }
    }

    @Test("a handler using requireIdentity answers 401 without an identity and runs with one")
    func requireIdentityInHandler() async {
        var router = Router()
        router.get("/me") { req, res in res.send(try req.requireIdentity().userId) }
        let refused = await send(router, "/me")
        #expect(refused.status == .unauthorized)
        #expect(refused.json["error"] as? String == "authentication required")
        #expect(await send(router, "/me", identity: Identity(userId: "ann")).body == "ann")
    }

    private func reason(_ body: String) -> String? {
        do {
            _ = try request(body: body).decode(NewTodo.self)
            return nil
        } catch {
            #expect(error.status == .badRequest)
            return error.message
        }
    }

    @Test("a missing field is named")
    func missingField() {
        #expect(reason(#"{"titel":"x"}"#) == #"the request body is not a valid NewTodo: missing field "title""#)
        #expect(reason(#"{"title":"x","meta":{}}"#) == #"the request body is not a valid NewTodo: missing field "meta.priority""#)
    }

    @Test("a value of the wrong type names its field path and the expected type")
    func typeMismatch() {
        #expect(reason(#"{"title":"x","meta":{"priority":"high"}}"#) == #"the request body is not a valid NewTodo: field "meta.priority": expected Int"#)
        #expect(reason(#"{"title":"x","tags":["a",2]}"#) == #"the request body is not a valid NewTodo: field "tags[1]": expected String"#)
        #expect(reason(#"[1]"#) == "the request body is not a valid NewTodo: the body: expected an object")
    }

    @Test("null where a value is required is named")
    func valueNotFound() {
        #expect(reason(#"{"title":null}"#) == #"the request body is not a valid NewTodo: field "title": expected String, found null"#)
    }

    @Test("text that is not JSON is described with its position")
    func invalidJSON() {
        #expect(reason(#"{"title": x}"#) == "the request body is not a valid NewTodo: invalid JSON: Invalid value around character 10")
        #expect(reason("") == "the request body is not a valid NewTodo: invalid JSON: Unexpected end of file during JSON parse")
    }
}
