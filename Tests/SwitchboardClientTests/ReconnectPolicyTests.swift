import SwitchboardClient
import Testing

@Suite("Reconnect policy")
struct ReconnectPolicyTests {
    @Test("backoff grows exponentially with full jitter between the minimum and the capped maximum")
    func schedule() {
        let policy = ReconnectPolicy(minimumDelay: .milliseconds(100), maximumDelay: .seconds(2), multiplier: 2)
        #expect(policy.delay(forAttempt: 1, random: 0) == .milliseconds(100))
        #expect(policy.delay(forAttempt: 1, random: 0.99) == .milliseconds(100))
        #expect(policy.delay(forAttempt: 2, random: 0) == .milliseconds(100))
        #expect(policy.delay(forAttempt: 2, random: 1) == .milliseconds(200))
        #expect(policy.delay(forAttempt: 3, random: 0.5) == .milliseconds(250))
        #expect(policy.delay(forAttempt: 4, random: 1) == .milliseconds(800))
        #expect(policy.delay(forAttempt: 6, random: 1) == .seconds(2))
        #expect(policy.delay(forAttempt: 60, random: 0.5) == .milliseconds(1050))
        #expect(policy.delay(forAttempt: 3, random: 7) == .milliseconds(400))
    }

    @Test("attempts are unlimited by default, bounded by maxAttempts, and none with .never")
    func attempts() {
        #expect(ReconnectPolicy().allows(attempt: 1_000_000))
        let bounded = ReconnectPolicy(maxAttempts: 3)
        #expect(bounded.allows(attempt: 3))
        #expect(!bounded.allows(attempt: 4))
        #expect(!ReconnectPolicy.never.allows(attempt: 1))
    }
}
