import Foundation
import RedisTestSupport
import SwitchboardClient
import SwitchboardRedis
import Testing

/// Idempotency keys kept in Redis: a request runs once across the nodes.
@Suite("Cluster idempotency keys", .serialized, .enabled(if: RedisServerProcess.isAvailableOrRequired))
struct ClusterIdempotencyTests {
    @Test("a request retried with the same key on another node gets the stored answer without running again")
    func retryOnAnotherNode() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let onA = try await cluster.client(a.url, user: "ada")
            let onB = try await cluster.client(b.url, user: "ada")
            let keyed = RequestOptions(idempotencyKey: "k-retry")
            let first = try await onA.client.post("/once", options: keyed)
            #expect(first.status == .ok)
            #expect(first.text == "\"a run 1\"" || first.text == "a run 1", "\(first.text)")
            let retry = try await onB.client.post("/once", options: keyed)
            #expect(retry.status == .ok)
            #expect(retry.text == first.text, "node b answers node a's answer")
            let fresh = try await onB.client.post("/once", options: RequestOptions(idempotencyKey: "k-other"))
            #expect(fresh.text.contains("b run 1"), "node b's handler had not run before: \(fresh.text)")
            let otherUser = try await cluster.client(b.url, user: "bob")
            let bobs = try await otherUser.client.post("/once", options: keyed)
            #expect(bobs.text.contains("b run 2"), "keys are per user: \(bobs.text)")
        }
    }

    @Test("a repeat sent to another node while the first attempt still runs waits for its answer")
    func repeatWhileRunning() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let onA = try await cluster.client(a.url)
            let onB = try await cluster.client(b.url)
            let keyed = RequestOptions(idempotencyKey: "k-slow")
            async let first = onA.client.post("/once?delayMs=600", options: keyed)
            try await Task.sleep(for: .milliseconds(200))
            let repeated = try await onB.client.post("/once?delayMs=600", options: keyed)
            let answer = try await first
            #expect(answer.text.contains("a run 1"), "\(answer.text)")
            #expect(repeated.status == answer.status)
            #expect(repeated.text == answer.text, "the repeat on node b waited for node a's answer")
        }
    }
}
