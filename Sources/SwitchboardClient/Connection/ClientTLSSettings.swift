import NIOSSL

/// How a ``SwitchboardClient`` connects to `wss://` urls; set it as ``ClientConfiguration/tls``.
/// `ws://` urls ignore it.
///
/// By default the server's certificate must chain to one of the system's trusted roots and
/// be valid for the url's host (its name, or its IP address for an address url). To trust a
/// private certificate authority instead (a test or internal deployment):
///
/// ```swift
/// configuration.tls = try ClientTLSSettings(trustingAuthorityFile: "ca.pem")
/// ```
///
/// A failed TLS handshake (an untrusted certificate, a certificate for another host, no
/// common protocol version) ends the attempt with ``SwitchboardClientError/tlsHandshakeFailed(_:)``;
/// the ``ReconnectPolicy`` applies to it as to any failed attempt.
public struct ClientTLSSettings: Sendable {
    /// The NIOSSL client configuration every `wss://` connection uses. Default
    /// `TLSConfiguration.makeClientConfiguration()`: the system's trust roots, full certificate
    /// and host name verification.
    public var configuration: TLSConfiguration
    /// The host name the server's certificate must be valid for, also sent as SNI. Default
    /// `nil`: the url's host (an IP address url checks the certificate's IP addresses and sends
    /// no SNI).
    public var serverHostname: String?

    /// Connects with `configuration` as it is (client certificates, cipher or version choices
    /// and so on).
    public init(configuration: TLSConfiguration = .makeClientConfiguration(), serverHostname: String? = nil) {
        self.configuration = configuration
        self.serverHostname = serverHostname
    }

    /// Trusts only the certificate authorities in the PEM file at `path` (the system's roots
    /// are not used), with full certificate and host name verification.
    /// - Throws: ``SwitchboardClientError/invalidTLSConfiguration(_:)`` when the file cannot be
    ///   read or holds no PEM certificate.
    public init(trustingAuthorityFile path: String) throws(SwitchboardClientError) {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw .invalidTLSConfiguration("\(path) is not a readable PEM certificate file (\(error))")
        }
        try self.init(trusting: certificates, source: path)
    }

    /// Trusts only the certificate authorities in `pem` (PEM text), with full certificate and
    /// host name verification.
    /// - Throws: ``SwitchboardClientError/invalidTLSConfiguration(_:)`` when `pem` holds no
    ///   valid PEM certificate.
    public init(trustingAuthorityPEM pem: String) throws(SwitchboardClientError) {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
        } catch {
            throw .invalidTLSConfiguration("the certificate authority is not valid PEM (\(error))")
        }
        try self.init(trusting: certificates, source: "the certificate authority PEM")
    }

    private init(trusting certificates: [NIOSSLCertificate], source: String) throws(SwitchboardClientError) {
        guard !certificates.isEmpty else { throw .invalidTLSConfiguration("\(source) holds no certificate") }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(certificates)
        self.init(configuration: configuration)
    }
}
