import Foundation
import NIOCore
import NIOSSL
import Switchboard
import TLSTestSupport
import Testing

/// `wss://`: the server with ``Configuration/tls``, certificates made by `openssl` at test time.
@Suite("TLS end to end")
struct TLSTests {
    static func start(_ certificates: TestCertificates) async throws -> RunningServer {
        var configuration = Configuration()
        configuration.tls = try certificates.serverSettings()
        return try await RunningServer.start(configuration: configuration)
    }

    @Test("a client trusting the CA opens wss:// and gets a request answered")
    func trustedClient() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let running = try await Self.start(certificates)
        let client = try await WebSocketTestClient.connect(port: running.port, tls: try certificates.clientContext())
        #expect(client.answer.status == 101)
        let response = try await client.request(.get, "/echo", body: "over tls")
        #expect(response.status == .ok)
        #expect(String(decoding: response.data, as: UTF8.self) == "over tls")
        client.close()
        try await running.stop()
    }

    @Test("a client that does not trust the CA fails the TLS handshake, and the server keeps serving")
    func untrustedClient() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let running = try await Self.start(certificates)
        await #expect {
            _ = try await WebSocketTestClient.handshake(port: running.port, tls: try certificates.clientContext(trustingAuthority: false))
        } throws: { error in
            guard case NIOSSLError.handshakeFailed = error else { return false }
            return true
        }
        let client = try await WebSocketTestClient.connect(port: running.port, tls: try certificates.clientContext())
        #expect(try await client.request(.get, "/echo", body: "still here").status == .ok)
        client.close()
        try await running.stop()
    }

    @Test("a plain ws:// handshake to the TLS port is disconnected without an HTTP answer, and the server keeps serving")
    func plainClientOnTLSPort() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let running = try await Self.start(certificates)
        let plain = try await RawTCPConnection.connect(port: running.port)
        try await plain.send(
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        #expect(await plain.waitUntilClosed())
        #expect(plain.answer == nil)
        let client = try await WebSocketTestClient.connect(port: running.port, tls: try certificates.clientContext())
        #expect(try await client.request(.get, "/echo", body: "still here").status == .ok)
        client.close()
        try await running.stop()
    }

    @Test("TLSSettings names a certificate file it cannot read")
    func missingCertificateFile() throws {
        #expect {
            _ = try TLSSettings(certificateChainFile: "/nonexistent/chain.pem", privateKeyFile: "/nonexistent/key.pem")
        } throws: { error in
            (error as? TLSSettingsError)?.file == "/nonexistent/chain.pem"
        }
    }

    @Test("a private key that does not match the certificate makes run() throw invalidTLSConfiguration")
    func mismatchedKey() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        var configuration = Configuration(host: "127.0.0.1", port: 0)
        configuration.tls = try TLSSettings(
            certificateChainFile: certificates.serverCertificateChain,
            privateKeyFile: certificates.folder.appendingPathComponent("ca.key").path
        )
        let server = Server(router: TestResponder(), configuration: configuration)
        await #expect {
            try await server.run()
        } throws: { error in
            guard case ServerError.invalidTLSConfiguration = error else { return false }
            return true
        }
    }
}
