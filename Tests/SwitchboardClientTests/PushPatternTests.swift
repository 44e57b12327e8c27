@testable import SwitchboardClient
import Testing

@Suite("Push patterns")
struct PushPatternTests {
    @Test("patterns capture :params, * and a trailing ** and ignore the query")
    func matching() {
        #expect(PushPattern("/boards/:id/tasks").match("/boards/7/tasks") == ["id": "7"])
        #expect(PushPattern("/boards/:id/tasks").match("/boards/7/tasks?x=1") == ["id": "7"])
        #expect(PushPattern("/boards/:id/tasks").match("/boards/7") == nil)
        #expect(PushPattern("/boards/:id/tasks").match("/boards/7/tasks/1") == nil)
        #expect(PushPattern("/boards/*").match("/boards/a%20b") == ["*": "a b"])
        #expect(PushPattern("/files/**").match("/files/a/b.txt") == ["**": "a/b.txt"])
        #expect(PushPattern("/files/**").match("/files") == nil)
        #expect(PushPattern("/").match("/") == [:])
    }

    @Test("server urls are parsed into host, port and target")
    func addresses() throws {
        let address = try ServerAddress("ws://127.0.0.1:8080/ws?features=presence@a:b:c")
        #expect(address.host == "127.0.0.1")
        #expect(address.port == 8080)
        #expect(address.target == "/ws?features=presence@a:b:c")
        #expect(try ServerAddress("ws://example.com").port == 80)
        #expect(try ServerAddress("ws://example.com").target == "/")
        #expect(try ServerAddress("ws://[::1]:9000/ws").host == "::1")
        #expect(throws: SwitchboardClientError.invalidRequest("invalid port in ws://a:0/ws")) { try ServerAddress("ws://a:0/ws") }
    }
}
