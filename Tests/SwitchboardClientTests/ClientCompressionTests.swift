import Foundation
import NIOCore
import Switchboard
@testable import SwitchboardClient
import SwitchboardDeflate
import Testing

/// The client's permessage-deflate (RFC 7692) against a real server, and against a scripted
/// one for the answers and messages a correct server never sends.
@Suite("Client compression end to end")
struct ClientCompressionTests {
    /// A 16 KiB JSON body that compresses well.
    static let largeBody: String = {
        let items = (0..<160).map { #"{"id":\#($0),"name":"card \#($0)","state":"open","owner":"someone"}"# }
        return "[" + items.joined(separator: ",") + "]"
    }()

    static func server(compression: CompressionSettings?) async throws -> TestServer {
        var configuration = Configuration()
        configuration.compression = compression
        return try await TestServer.start(configuration: configuration)
    }

    /// A connected client with compression on and a ``WireCounter`` first in its pipeline.
    static func client(_ server: TestServer, _ adjust: (inout ClientConfiguration) -> Void = { _ in }) async throws -> (SwitchboardClient, WireCounter) {
        let client = try await ClientTestSupport.connect(server) {
            $0.compression = ClientCompressionSettings()
            adjust(&$0)
        }
        let counter = WireCounter()
        let channel = try #require(client.core.withLock { $0.channel })
        try await channel.pipeline.addHandler(counter, position: .first).get()
        return (client, counter)
    }

    static func compresses(_ client: SwitchboardClient) async throws -> Bool {
        let channel = try #require(client.core.withLock { $0.channel })
        return try await channel.eventLoop.submit {
            (try? channel.pipeline.syncOperations.handler(type: PerMessageDeflateHandler.self)) != nil
        }.get()
    }

    @Test("compression negotiated: a large request and its response cross the wire compressed and arrive intact")
    func requestAndResponse() async throws {
        let server = try await Self.server(compression: CompressionSettings())
        let (client, counter) = try await Self.client(server)
        #expect(try await Self.compresses(client))
        let response = try await client.post("/echo", Self.largeBody.bytes).requireSuccess()
        #expect(response.text == Self.largeBody)
        // Both ways the 16 KiB went over the wire in a fraction of its size.
        #expect(counter.written < Self.largeBody.utf8.count / 4)
        #expect(counter.read < Self.largeBody.utf8.count / 4)
        await client.close()
        try await server.stop()
    }

    @Test("a push compressed once by the server arrives intact at several members, compressed on each wire")
    func pushToSeveralMembers() async throws {
        var settings = CompressionSettings()
        settings.serverNoContextTakeover = true
        let server = try await Self.server(compression: settings)
        var members: [(SwitchboardClient, WireCounter, Collected<String>)] = []
        for _ in 0..<3 {
            let (client, counter) = try await Self.client(server)
            let received = Collected<String>()
            _ = client.on("/boards/:id/updated") { push in received.append(push.text) }
            try await client.join("board-4")
            members.append((client, counter, received))
        }
        let before = members.map { $0.1.read }
        #expect(try server.push("/boards/4/updated", Self.largeBody, to: "board-4") == 3)
        for (index, (client, counter, received)) in members.enumerated() {
            #expect(await TestServer.eventually { received.count == 1 })
            #expect(received.all == [Self.largeBody])
            #expect(counter.read - before[index] < Self.largeBody.utf8.count / 4)
            await client.close()
        }
        try await server.stop()
    }

    @Test("negotiation off when the server has compression off: the same push arrives uncompressed")
    func serverWithoutCompression() async throws {
        let server = try await Self.server(compression: nil)
        let (client, counter) = try await Self.client(server)
        #expect(try await !Self.compresses(client))
        let received = Collected<String>()
        _ = client.on("/boards/:id/updated") { push in received.append(push.text) }
        try await client.join("board-5")
        let before = counter.read
        try server.push("/boards/5/updated", Self.largeBody, to: "board-5")
        #expect(await TestServer.eventually { received.count == 1 })
        #expect(received.all == [Self.largeBody])
        #expect(counter.read - before > Self.largeBody.utf8.count)
        await client.close()
        try await server.stop()
    }

    @Test("a compressed message that inflates beyond maxMessageSize (a bomb) is closed with 1009")
    func decompressionBomb() async throws {
        let agreed = DeflateParameters(serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15)
        // 4 MiB of zeros: about 4 KiB compressed.
        let server = try await ScriptedServer.start(extensions: "permessage-deflate", compressing: agreed, sendOnOpen: [[UInt8](repeating: 0, count: 4 << 20)])
        let client = try SwitchboardClient(url: server.url, configuration: ClientTestSupport.configuration {
            $0.compression = ClientCompressionSettings()
            $0.reconnect.maxAttempts = 0
        })
        try await client.connect()
        #expect(await TestServer.eventually { server.closeCodes == [1009] })
        #expect(await TestServer.eventually { client.state == .closed })
        await client.close()
        try await server.stop()
    }

    @Test("a bad extension answer fails the connection: 1002 for an invalid or unoffered one, 1010 for one lacking what was asked")
    func badAnswers() async throws {
        let cases: [(answer: String, compression: ClientCompressionSettings?, code: Int)] = [
            ("permessage-deflate; server_max_window_bits=16", ClientCompressionSettings(), 1002),
            ("permessage-deflate; unknown_parameter", ClientCompressionSettings(), 1002),
            ("x-webkit-deflate-frame", ClientCompressionSettings(), 1002),
            ("permessage-deflate", nil, 1002),
            ("permessage-deflate", { var settings = ClientCompressionSettings(); settings.serverNoContextTakeover = true; return settings }(), 1010),
        ]
        for (answer, compression, code) in cases {
            let server = try await ScriptedServer.start(extensions: answer)
            let client = try SwitchboardClient(url: server.url, configuration: ClientTestSupport.configuration {
                $0.compression = compression
                $0.reconnect.maxAttempts = 0
            })
            await #expect {
                try await client.connect()
            } throws: { error in
                guard case SwitchboardClientError.connectionFailed(let reason) = error else { return false }
                return reason.contains("Sec-WebSocket-Extensions answer was refused") && reason.contains("closed with \(code)")
            }
            #expect(await TestServer.eventually { server.closeCodes == [code] }, "answer \(answer)")
            await client.close()
            try await server.stop()
        }
    }

    @Test("the offer carries the configured parameters, and the server's answer sets the client's")
    func offerAndAnswer() throws {
        let plain = DeflateOffer(clientMaxWindowBits: 15, clientNoContextTakeover: false, serverNoContextTakeover: false, serverMaxWindowBits: nil)
        #expect(plain.header == "permessage-deflate; client_max_window_bits")
        let full = DeflateOffer(clientMaxWindowBits: 10, clientNoContextTakeover: true, serverNoContextTakeover: true, serverMaxWindowBits: 12)
        #expect(full.header == "permessage-deflate; client_no_context_takeover; server_no_context_takeover; server_max_window_bits=12; client_max_window_bits=10")
        #expect(try plain.accept([]) == nil)
        let answered = try plain.accept(["permessage-deflate; server_no_context_takeover; client_max_window_bits=9; server_max_window_bits=11"])
        #expect(answered == DeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 11, clientMaxWindowBits: 9))
        #expect(throws: DeflateOffer.Refusal.self) { try full.accept(["permessage-deflate; server_no_context_takeover; server_max_window_bits=13"]) }
        #expect(throws: DeflateOffer.Refusal.self) { try plain.accept(["permessage-deflate", "permessage-deflate"]) }
        #expect(throws: DeflateOffer.Refusal.self) { try plain.accept(["permessage-deflate; client_no_context_takeover=1"]) }
    }
}
