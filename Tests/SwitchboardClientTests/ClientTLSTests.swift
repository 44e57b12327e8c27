import Foundation
import Switchboard
@testable import SwitchboardClient
import TLSTestSupport
import Testing

/// The client over `wss://` against a server with ``Configuration/tls``, certificates made by
/// `openssl` at test time.
@Suite("Client TLS end to end")
struct ClientTLSTests {
    static func start(_ certificates: TestCertificates) async throws -> TestServer {
        var configuration = Configuration()
        configuration.tls = try certificates.serverSettings()
        return try await TestServer.start(configuration: configuration)
    }

    static func url(_ server: TestServer) -> String { "wss://127.0.0.1:\(server.port)/ws" }

    /// The end reason of a client that may make `attempts` attempts with `tls`.
    static func failure(_ server: TestServer, tls: ClientTLSSettings, attempts: Int = 0) async throws -> SwitchboardClientError? {
        let client = try SwitchboardClient(url: url(server), configuration: ClientTestSupport.configuration {
            $0.tls = tls
            $0.reconnect.maxAttempts = attempts
        })
        do {
            try await client.connect()
        } catch {
            return error
        }
        await client.close()
        return nil
    }

    @Test("a client trusting the CA (file or PEM text) opens wss:// and gets requests answered")
    func trustedAuthority() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await Self.start(certificates)
        let pem = try String(contentsOfFile: certificates.authorityCertificate, encoding: .utf8)
        for tls in [try ClientTLSSettings(trustingAuthorityFile: certificates.authorityCertificate), try ClientTLSSettings(trustingAuthorityPEM: pem)] {
            let client = try SwitchboardClient(url: Self.url(server), configuration: ClientTestSupport.configuration { $0.tls = tls })
            try await client.connect()
            #expect(try await client.post("/echo", "over tls".bytes).requireSuccess().text == "over tls")
            await client.close()
        }
        try await server.stop()
    }

    @Test("a certificate from a CA the client does not trust fails with tlsHandshakeFailed saying so, after the reconnect attempts")
    func untrustedAuthority() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await Self.start(certificates)
        let failure = try await Self.failure(server, tls: ClientTLSSettings(), attempts: 2)
        guard case .tlsHandshakeFailed(let reason) = failure else {
            Issue.record("expected tlsHandshakeFailed, got \(String(describing: failure))")
            return
        }
        #expect(reason.contains("certificate is not trusted"))
        // The server kept serving: a client trusting the CA still gets in.
        #expect(try await Self.failure(server, tls: ClientTLSSettings(trustingAuthorityFile: certificates.authorityCertificate)) == nil)
        try await server.stop()
    }

    @Test("a certificate for another host name fails with tlsHandshakeFailed naming the host")
    func otherHostName() async throws {
        let certificates = try TestCertificates.make(subjectAltName: "DNS:elsewhere.example")
        defer { certificates.remove() }
        let server = try await Self.start(certificates)
        let trusted = try ClientTLSSettings(trustingAuthorityFile: certificates.authorityCertificate)
        let failure = try await Self.failure(server, tls: trusted)
        guard case .tlsHandshakeFailed(let reason) = failure else {
            Issue.record("expected tlsHandshakeFailed, got \(String(describing: failure))")
            return
        }
        #expect(reason.contains("not valid for 127.0.0.1"))
        // Checked against the name the certificate is for, the same server is accepted.
        var named = trusted
        named.serverHostname = "elsewhere.example"
        #expect(try await Self.failure(server, tls: named) == nil)
        try await server.stop()
    }

    @Test("a CA file that does not exist is refused with invalidTLSConfiguration naming it")
    func missingAuthorityFile() {
        #expect {
            _ = try ClientTLSSettings(trustingAuthorityFile: "/nonexistent/ca.pem")
        } throws: { error in
            guard case SwitchboardClientError.invalidTLSConfiguration(let reason) = error else { return false }
            return reason.contains("/nonexistent/ca.pem")
        }
    }

    @Test("wss:// urls default to port 443 and leave it out of the Host header")
    func secureAddress() throws {
        let address = try ServerAddress("wss://example.com/ws")
        #expect(address.isSecure && address.port == 443 && address.hostHeader == "example.com")
        #expect(try ServerAddress("wss://example.com:8443").hostHeader == "example.com:8443")
        #expect(try ServerAddress("ws://127.0.0.1:80").hostIsIPAddress)
        #expect(try !ServerAddress("ws://localhost").hostIsIPAddress)
        #expect(throws: SwitchboardClientError.invalidRequest("the url must start with ws:// or wss://: http://a/ws")) { try ServerAddress("http://a/ws") }
    }
}
