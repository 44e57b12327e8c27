import Foundation
import Testing
@testable import SwitchboardCore

@Suite("Responses, errors and the deadline")
struct ResponseTests {
    struct Board: Codable, Equatable, Sendable {
        let id: Int
        let name: String
    }

    @Test("a handler's Encodable return value is sent as JSON, with the status it set")
    func returnValue() async throws {
        var router = Router()
        router.get("/boards/:id") { req, _ in Board(id: try req.params.require("id", as: Int.self), name: "Plans") }
        router.post("/boards") { req, res async throws in
            res.status(.created)
            return try req.decode(Board.self)
        }
        let got = await send(router, "/boards/7")
        #expect(got.inline)
        #expect(try JSONDecoder().decode(Board.self, from: Data(got.body.utf8)) == Board(id: 7, name: "Plans"))
        let made = await send(router, .post, "/boards", body: #"{"id":8,"name":"New"}"#)
        #expect(made.status == .created)
        #expect(try JSONDecoder().decode(Board.self, from: Data(made.body.utf8)) == Board(id: 8, name: "New"))
    }

    @Test("an undecodable body is a 400")
    func badBody() async {
        var router = Router()
        router.post("/boards") { req, _ in try req.decode(Board.self) }
        let outcome = await send(router, .post, "/boards", body: "{nope")
        #expect(outcome.status == .badRequest)
    }

    @Test("a second response is ignored and reported")
    func exactlyOneResponse() async {
        let log = Log()
        var router = loggingRouter(log)
        router.get("/x") { _, res in
            res.status(.created).send("first")
            res.status(.ok)
            res.send("second")
        }
        let outcome = await send(router, "/x")
        #expect(outcome.status == .created)
        #expect(outcome.body == "first")
        #expect(log.entries.count == 2)
        #expect(log.entries.last?.contains("second response") == true)
    }

    @Test("a thrown HTTPError becomes its status and {\"error\": message}")
    func httpError() async {
        var router = Router()
        router.get("/x") { _, _ in throw HTTPError(.conflict, "board \"7\" is locked") }
        let outcome = await send(router, "/x")
        #expect(outcome.status == .conflict)
        #expect(outcome.body == #"{"error":"board \"7\" is locked"}"#)
    }

    @Test("any other error is a 500 that does not leak its details, which go to diagnostics")
    func otherError() async {
        struct DatabaseError: Error { let secret = "password=hunter2" }
        let log = Log()
        var router = loggingRouter(log)
        router.get("/x") { _, _ async throws in throw DatabaseError() }
        let outcome = await send(router, "/x")
        #expect(outcome.status == .internalServerError)
        #expect(outcome.body == #"{"error":"internal server error"}"#)
        #expect(log.entries.contains { $0.contains("hunter2") })
    }

    @Test("an async handler that never answers gets 504 at the deadline and is cancelled")
    func deadlineAsync() async {
        let log = Log()
        var router = loggingRouter(log, deadline: .milliseconds(50))
        router.get("/hang", handler: hangingUntilCancelled(log))
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await send(router, "/hang")
        #expect(outcome.status == .gatewayTimeout)
        // Far below the 120 s deadline, even on a loaded machine.
        #expect(clock.now - start < .seconds(60))
        for _ in 0..<500 where !log.entries.contains("cancelled") { try? await Task.sleep(for: .milliseconds(10)) }
        #expect(log.entries == ["cancelled"])
    }

    @Test("when the transport cancels the wait, the handler is cancelled and the wait ends at once")
    func transportCancels() async {
        let log = Log()
        var router = loggingRouter(log, deadline: .seconds(120))
        router.get("/hang", handler: hangingUntilCancelled(log, noting: "handler cancelled"))
        let request = Request(method: .get, url: "/hang", body: [], id: 1, connection: FakeConnection())
        guard case .pending(let operation) = router.respond(to: request) else {
            Issue.record("an async route answered inline")
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        let waiting = Task { await operation() }
        try? await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        #expect(await waiting.value.status == .gatewayTimeout)
        // Far below the 120 s deadline, even on a loaded machine.
        #expect(clock.now - start < .seconds(60))
        for _ in 0..<500 where !log.entries.contains("handler cancelled") { try? await Task.sleep(for: .milliseconds(10)) }
        #expect(log.entries == ["handler cancelled"])
    }

    @Test("a synchronous handler that returns without answering gets 504 at the deadline")
    func deadlineSync() async {
        var router = loggingRouter(Log(), deadline: .milliseconds(30))
        router.get("/forgot") { _, _ in }
        let outcome = await send(router, "/forgot")
        #expect(outcome.status == .gatewayTimeout)
        #expect(!outcome.inline)
    }

    @Test("a response sent after the handler returned, before the deadline, is the reply")
    func lateSend() async {
        var router = loggingRouter(Log(), deadline: .seconds(10))
        router.get("/later") { _, res in
            Task {
                try? await Task.sleep(for: .milliseconds(20))
                res.status(.accepted).send("later")
            }
        }
        let outcome = await send(router, "/later")
        #expect(outcome.status == .accepted)
        #expect(outcome.body == "later")
    }

    @Test("the reply leaves once the chain returned, so after-next code finishes first")
    func replyAfterChain() async {
        let log = Log()
        var router = Router()
        router.use { _, _, next in
            try await next()
            try await Task.sleep(for: .milliseconds(20))
            log.add("after")
        }
        router.get("/x") { _, res in res.send("x") }
        _ = await send(router, "/x")
        #expect(log.entries == ["after"])
    }

    @Test("res.json and res.end send JSON and an empty body")
    func jsonAndEnd() async {
        var router = Router()
        router.get("/json") { _, res in try res.json(["a": 1]) }
        router.delete("/x") { _, res in res.status(.noContent).end() }
        #expect(await send(router, "/json").body == #"{"a":1}"#)
        let deleted = await send(router, .delete, "/x")
        #expect(deleted.status == .noContent)
        #expect(deleted.body.isEmpty)
    }
}
