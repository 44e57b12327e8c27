import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import Switchboard

@Suite("Pending requests: answered while starting, kept until answered, expired at their deadline")
struct PendingRequestsTests {
    /// A pending reply whose work never answers (it waits until cancelled).
    private static func silent(deadline: Duration?) -> PendingReply {
        PendingReply(deadline: deadline) {
            try? await Task.sleep(for: .seconds(3600))
            return Reply(status: .ok)
        }
    }

    @Test("a reply that comes while the request starts is handed back by commit; nothing is kept")
    func answeredWhileStarting() {
        let requests = PendingRequests(eventLoop: EmbeddedEventLoop())
        let key = requests.begin()
        guard case .whileStarting = requests.complete(key, with: Reply(status: .created)) else {
            Issue.record("the reply was not held for the start")
            return
        }
        guard case .answered(let reply) = requests.commit(Self.silent(deadline: .seconds(1)), observation: nil) else {
            Issue.record("commit did not hand the reply back")
            return
        }
        #expect(reply.status == .created)
        #expect(requests.count == 0)
    }

    @Test("a request not answered while starting is kept until its reply comes, once")
    func kept() {
        let requests = PendingRequests(eventLoop: EmbeddedEventLoop())
        let key = requests.begin()
        guard case .kept = requests.commit(Self.silent(deadline: nil), observation: nil) else {
            Issue.record("the request was not kept")
            return
        }
        #expect(requests.count == 1)
        guard case .awaited = requests.complete(key, with: Reply(status: .ok)) else {
            Issue.record("the kept request was not found")
            return
        }
        #expect(requests.count == 0)
        guard case .gone = requests.complete(key, with: Reply(status: .ok)) else {
            Issue.record("a second reply found the request")
            return
        }
    }

    @Test("a request whose connection closed while it started is not kept")
    func abandoned() {
        let requests = PendingRequests(eventLoop: EmbeddedEventLoop())
        _ = requests.begin()
        #expect(requests.removeAll().isEmpty)
        guard case .abandoned = requests.commit(Self.silent(deadline: .seconds(1)), observation: nil) else {
            Issue.record("the request was kept after the connection closed")
            return
        }
        #expect(requests.count == 0)
    }

    @Test("a kept request past its deadline is expired: its reply is a 504")
    func deadline() async throws {
        let loop = EmbeddedEventLoop()
        let requests = PendingRequests(eventLoop: loop)
        let reply = Self.silent(deadline: .seconds(2))
        let received = Mutex<Reply?>(nil)
        let key = requests.begin()
        reply.start(preferring: nil) { answer in received.withLock { $0 = answer } }
        guard case .kept = requests.commit(reply, observation: nil) else {
            Issue.record("the request was not kept")
            return
        }
        loop.advanceTime(by: .seconds(1))
        #expect(received.withLock { $0 } == nil)
        loop.advanceTime(by: .seconds(1))
        #expect(received.withLock { $0?.status } == .gatewayTimeout)
        // The entry stays until the transport takes the 504 through `complete`.
        guard case .awaited = requests.complete(key, with: Reply(status: .gatewayTimeout)) else {
            Issue.record("the expired request was not found")
            return
        }
    }
}
