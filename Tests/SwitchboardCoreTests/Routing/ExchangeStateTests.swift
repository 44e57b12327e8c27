import Testing
@testable import SwitchboardCore

@Suite("Exchange state machine")
struct ExchangeStateTests {
    @Test("the first send fixes the reply; a second is a duplicate")
    func firstSendWins() {
        var state = ExchangeState(method: .get, url: "/")
        state.status = .created
        guard case .accepted = state.send([1]) else {
            Issue.record("first send refused")
            return
        }
        guard case .duplicate = state.send([2]) else {
            Issue.record("second send accepted")
            return
        }
        #expect(state.finishInline()?.reply == Reply(status: .created, body: [1]))
    }

    @Test("an inline chain without a reply leaves nothing to deliver yet")
    func inlineWithoutReply() {
        var state = ExchangeState(method: .get, url: "/")
        #expect(state.finishInline() == nil)
    }

    @Test("HEAD replies drop the body")
    func headDropsBody() {
        var state = ExchangeState(method: .head, url: "/")
        _ = state.send([1, 2, 3])
        #expect(state.finishInline()?.reply.body.isEmpty == true)
    }

    @Test("a waiting transport gets the reply when both the send and the chain's end happened")
    func deliveryNeedsReplyAndChainEnd() async {
        let reply = await withCheckedContinuation { continuation in
            var state = ExchangeState(method: .get, url: "/")
            #expect(state.wait { continuation.resume(returning: $0) } == nil)
            guard case .accepted(let delivery) = state.send([7]) else { return }
            #expect(delivery == nil)
            state.finishChain()?.perform()
        }
        #expect(reply.body == [7])
    }

    @Test("expiry delivers 504 when nothing was sent, and nothing after delivery; a late reply is kept, not delivered")
    func expiry() async {
        var state = ExchangeState(method: .get, url: "/")
        let reply = await withCheckedContinuation { continuation in
            _ = state.wait { continuation.resume(returning: $0) }
            state.expire()?.perform()
        }
        #expect(reply.status == .gatewayTimeout)
        #expect(state.expire() == nil)
        guard case .tooLate = state.send([1]) else {
            Issue.record("a send after delivery was not refused as too late")
            return
        }
        #expect(state.reply?.body == [1])
        #expect(state.expire() == nil)
    }
}

extension ExchangeState.Delivery: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.reply == rhs.reply }
}
