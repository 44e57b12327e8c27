import Logging
import Switchboard
import Testing

@Suite("What the server logs about requests")
struct LoggingTests {
    struct Boom: Error {}

    private static func router(logging logger: Logger? = nil) -> Router {
        var router = Router()
        if let logger { router.use(RequestLogging(logger: logger)) }
        router.get("/ok") { _, res in res.send("fine") }
        router.get("/boom") { _, _ in throw Boom() }
        router.get("/boom-later") { _, _ async throws in
            try await Task.sleep(for: .milliseconds(1))
            throw Boom()
        }
        router.get("/forbidden") { _, _ in throw HTTPError(.forbidden, "no") }
        return router
    }

    @Test("a handler's unexpected error is logged through the server's logger with method, url, request id and connection")
    func unhandledErrorLogged() async throws {
        let logs = CapturedLogs()
        let running = try await RunningServer.start(responder: Self.router(), logger: logs.logger(level: .error))
        let client = try await WebSocketTestClient.connect(port: running.port)
        #expect(try await client.request(.get, "/boom", id: 7).status == .internalServerError)
        #expect(try await client.request(.get, "/boom-later", id: 8).status == .internalServerError)
        let records = logs.records("unhandled error answered 500")
        #expect(records.count == 2)
        let connection = running.server.connections.first?.id.description
        for (record, (url, id)) in zip(records, [("/boom", "7"), ("/boom-later", "8")]) {
            #expect(record.level == .error)
            #expect(record.metadata["method"] == "GET")
            #expect(record.metadata["url"] == url)
            #expect(record.metadata["id"] == id)
            #expect(record.metadata["connection"] == connection)
            #expect(record.metadata["error"]?.contains("Boom") == true)
        }
        client.close()
        try await running.stop()
    }

    @Test("request logging records method, url, status and duration of every request, errors and fallback replies included")
    func requestLogging() async throws {
        let logs = CapturedLogs()
        let running = try await RunningServer.start(responder: Self.router(logging: logs.logger(level: .info)))
        let client = try await WebSocketTestClient.connect(port: running.port)
        let requests: [(String, Status)] = [("/ok", .ok), ("/boom", .internalServerError), ("/forbidden", .forbidden), ("/missing", .notFound)]
        for (index, (url, status)) in requests.enumerated() {
            #expect(try await client.request(.get, url, id: UInt32(index + 1)).status == status)
        }
        let records = logs.records("request")
        #expect(records.map { $0.metadata["url"] } == requests.map(\.0))
        #expect(records.map { $0.metadata["status"] } == requests.map { "\($0.1.code)" })
        for (index, record) in records.enumerated() {
            #expect(record.level == .info)
            #expect(record.metadata["method"] == "GET")
            #expect(record.metadata["id"] == "\(index + 1)")
            #expect(record.metadata["durationMs"].flatMap(Double.init).map { $0 >= 0 } == true)
        }
        client.close()
        try await running.stop()
    }
}
