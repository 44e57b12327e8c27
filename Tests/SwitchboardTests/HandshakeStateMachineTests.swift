import NIOCore
import NIOHTTP1
import Testing

@testable import Switchboard

@Suite("The handshake state machine: plain HTTP, refusals, and the upgrade once decided and ended")
struct HandshakeStateMachineTests {
    private static func head(upgrade: String?) -> HTTPRequestHead {
        var headers: HTTPHeaders = ["Host": "127.0.0.1"]
        if let upgrade { headers.add(name: "Upgrade", value: upgrade) }
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: "/ws", headers: headers)
    }

    @Test("a head without Upgrade goes to plain HTTP with nothing to refuse")
    func plain() {
        var machine = HandshakeStateMachine()
        let head = Self.head(upgrade: nil)
        let step1 = machine.read(.head(head))
        #expect(step1 == .answerOverHTTP(refusal: nil, parts: [.head(head)]))
        #expect(machine.state == .finished)
    }

    @Test("an Upgrade without websocket is refused with 400; websocket among several is decided")
    func otherProtocols() {
        var machine = HandshakeStateMachine()
        let h2c = Self.head(upgrade: "h2c")
        let step2 = machine.read(.head(h2c))
        #expect(step2 == .answerOverHTTP(refusal: HandshakeRefusal(status: .badRequest, reason: HandshakeStateMachine.otherProtocolReason), parts: [.head(h2c)]))
        var second = HandshakeStateMachine()
        let both = Self.head(upgrade: "h2c, WebSocket")
        let step3 = second.read(.head(both))
        #expect(step3 == .decide(both))
    }

    @Test("decided before the end: the upgrade waits for the end")
    func decidedThenEnd() {
        var machine = HandshakeStateMachine()
        let head = Self.head(upgrade: "websocket")
        let step4 = machine.read(.head(head))
        #expect(step4 == .decide(head))
        let step5 = machine.decided(refusal: nil)
        #expect(step5 == .none)
        #expect(machine.state == .awaitingEnd)
        let step6 = machine.read(.end(nil))
        #expect(step6 == .upgrade)
        #expect(machine.state == .finished)
    }

    @Test("ended before the decision: the decision upgrades at once")
    func endThenDecided() {
        var machine = HandshakeStateMachine()
        let head = Self.head(upgrade: "websocket")
        _ = machine.read(.head(head))
        let step7 = machine.read(.end(nil))
        #expect(step7 == .none)
        let step8 = machine.decided(refusal: nil)
        #expect(step8 == .upgrade)
    }

    @Test("a refusal hands the request, with its end when seen, to plain HTTP")
    func refused() {
        let refusal = HandshakeRefusal(status: .unauthorized, reason: "invalid token")
        let head = Self.head(upgrade: "websocket")
        var early = HandshakeStateMachine()
        _ = early.read(.head(head))
        let step9 = early.decided(refusal: refusal)
        #expect(step9 == .answerOverHTTP(refusal: refusal, parts: [.head(head)]))
        var late = HandshakeStateMachine()
        _ = late.read(.head(head))
        _ = late.read(.end(nil))
        let step10 = late.decided(refusal: refusal)
        #expect(step10 == .answerOverHTTP(refusal: refusal, parts: [.head(head), .end(nil)]))
    }

    @Test("a body or a second head on an upgrade request closes; so does a part before any head")
    func outOfOrder() {
        let head = Self.head(upgrade: "websocket")
        var body = HandshakeStateMachine()
        _ = body.read(.head(head))
        let step11 = body.read(.body(ByteBuffer(string: "x")))
        #expect(step11 == .close)
        let step12 = body.decided(refusal: nil)
        #expect(step12 == .none, "a decision after the close does nothing")
        var twice = HandshakeStateMachine()
        _ = twice.read(.head(head))
        _ = twice.decided(refusal: nil)
        let step13 = twice.read(.head(head))
        #expect(step13 == .close)
        var noHead = HandshakeStateMachine()
        let step14 = noHead.read(.end(nil))
        #expect(step14 == .close)
    }

    @Test("reads are held only while an ended upgrade request waits for its decision")
    func holdsReads() {
        var machine = HandshakeStateMachine()
        #expect(!machine.holdsReads)
        let head = Self.head(upgrade: "websocket")
        _ = machine.read(.head(head))
        #expect(!machine.holdsReads, "the request's end is still to come")
        _ = machine.read(.end(nil))
        #expect(machine.holdsReads)
        _ = machine.decided(refusal: nil)
        #expect(!machine.holdsReads)
        var early = HandshakeStateMachine()
        _ = early.read(.head(head))
        _ = early.decided(refusal: nil)
        #expect(!early.holdsReads, "decided first: the end must still be read")
    }

    @Test("closed while deciding: the decision is dropped; a parse error is answered only before a hand-over")
    func closedAndParseErrors() {
        var machine = HandshakeStateMachine()
        _ = machine.read(.head(Self.head(upgrade: "websocket")))
        machine.closed()
        let step15 = machine.decided(refusal: nil)
        #expect(step15 == .none)
        var fresh = HandshakeStateMachine()
        let step16 = fresh.parseFailed()
        #expect(step16)
        let step17 = fresh.parseFailed()
        #expect(!step17, "answered once")
        var handedOver = HandshakeStateMachine()
        _ = handedOver.read(.head(Self.head(upgrade: nil)))
        let step18 = handedOver.parseFailed()
        #expect(!step18)
    }
}

@Suite("SHA-1 and the 101's accept value")
struct SwitchingProtocolsTests {
    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test("SHA-1 gives the FIPS 180 example digests, across block boundaries")
    func digests() {
        #expect(Self.hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Self.hex(SHA1.digest([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(Self.hex(SHA1.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(Self.hex(SHA1.digest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test("the accept value of RFC 6455's example key, and base64's padding")
    func accept() {
        #expect(SwitchingProtocols.accept(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(SwitchingProtocols.base64(Array("f".utf8)) == "Zg==")
        #expect(SwitchingProtocols.base64(Array("fo".utf8)) == "Zm8=")
        #expect(SwitchingProtocols.base64(Array("foobar".utf8)) == "Zm9vYmFy")
    }

    @Test("the answer's bytes: status line, the upgrade headers, the optional ones, one blank line")
    func bytes() {
        var answer = SwitchingProtocols(key: "dGhlIHNhbXBsZSBub25jZQ==")
        answer.subprotocol = "switchboard.v1"
        answer.clientId = "alice.tab1"
        var buffer = ByteBuffer()
        answer.write(into: &buffer)
        #expect(String(buffer: buffer) == """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            Sec-WebSocket-Protocol: switchboard.v1\r
            Switchboard-Client-Id: alice.tab1\r
            \r

            """)
    }
}
