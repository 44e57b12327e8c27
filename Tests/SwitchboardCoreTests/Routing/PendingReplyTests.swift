import Testing
@testable import SwitchboardCore
import Synchronization

@Suite("Pending replies started by a transport")
struct PendingReplyTests {
    /// Counts the jobs it runs, on the global executor's threads.
    final class CountingExecutor: TaskExecutor {
        let jobs = Mutex<Int>(0)
        func enqueue(_ job: consuming ExecutorJob) {
            jobs.withLock { $0 += 1 }
            let job = UnownedJob(job)
            Task.detached { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    private func pendingReply(_ router: Router, _ url: String) -> PendingReply? {
        let request = Request(method: .get, url: url, body: [], id: 1, connection: FakeConnection())
        guard case .pending(let pending) = router.respond(to: request) else { return nil }
        return pending
    }

    @Test("start runs a chain that never suspends at once, on the calling thread: the reply is there before start returns, no job enqueued")
    func startInline() throws {
        var router = Router()
        router.get("/now") { _, res async in res.status(.accepted).send("done") }
        let executor = CountingExecutor()
        let replies = Mutex<[Reply]>([])
        let pending = try #require(pendingReply(router, "/now"))
        pending.start(preferring: executor) { reply in replies.withLock { $0.append(reply) } }
        #expect(replies.withLock { $0 } == [Reply(status: .accepted, body: ArraySlice("done".utf8))])
        #expect(executor.jobs.withLock { $0 } == 0)
        pending.expire()  // after the reply left: nothing happens
        #expect(replies.withLock { $0.count } == 1)
    }

    @Test("after its first suspension the chain runs on the preferred executor, and its reply is handed over once")
    func startOnExecutor() async throws {
        var router = Router()
        router.get("/later") { _, res async in
            await Task.yield()
            res.status(.accepted).send("done")
        }
        let executor = CountingExecutor()
        let replies = Log()
        let pending = try #require(pendingReply(router, "/later"))
        #expect(pending.deadline == router.configuration.handlerDeadline)
        let reply = await withCheckedContinuation { continuation in
            pending.start(preferring: executor) { reply in
                replies.add("\(reply.status)")
                continuation.resume(returning: reply)
            }
        }
        #expect(reply == Reply(status: .accepted, body: ArraySlice("done".utf8)))
        #expect(executor.jobs.withLock { $0 } > 0)
        pending.expire()  // after the reply left: nothing happens
        try await Task.sleep(for: .milliseconds(20))
        #expect(replies.entries.count == 1)
    }

    @Test("expire before the chain answers: 504 at once, and the chain's task is cancelled")
    func expireCancels() async throws {
        let log = Log()
        var router = Router()
        router.get("/hang", handler: hangingUntilCancelled(log))
        let pending = try #require(pendingReply(router, "/hang"))
        let reply = await withCheckedContinuation { continuation in
            pending.start(preferring: nil) { continuation.resume(returning: $0) }
            pending.expire()
        }
        #expect(reply.status == .gatewayTimeout)
        for _ in 0..<100 where !log.entries.contains("cancelled") { try? await Task.sleep(for: .milliseconds(10)) }
        #expect(log.entries == ["cancelled"])
    }

    @Test("a pending reply built from an operation carries the operation's reply")
    func fromOperation() async {
        let pending = PendingReply { Reply(status: .created, body: [1, 2]) }
        #expect(pending.deadline == nil)
        #expect(await pending() == Reply(status: .created, body: [1, 2]))
    }
}
