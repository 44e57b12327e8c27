import NIOSSL

/// What a ``Server`` needs to serve `wss://`: its certificate chain and private key, or a
/// complete NIOSSL server configuration. Set it as ``Configuration/tls``.
///
/// ```swift
/// configuration.tls = try TLSSettings(certificateChainFile: "cert.pem", privateKeyFile: "key.pem")
/// ```
///
/// TLS runs on the same pipeline as plain connections, first: the handshake timeout, the
/// pending-connection limit and every other setting apply unchanged, and the TLS handshake
/// counts against ``Configuration/handshakeTimeout``.
public struct TLSSettings: Sendable {
    /// The NIOSSL server configuration every accepted connection is served with.
    public var configuration: TLSConfiguration

    /// Serves with `configuration` as it is (for client certificates, cipher or version
    /// choices, ALPN and so on).
    public init(configuration: TLSConfiguration) {
        self.configuration = configuration
    }

    /// Serves with the certificate chain and private key in two PEM files: the chain starts with
    /// the server's own certificate, followed by any intermediates.
    /// - Throws: ``TLSSettingsError`` naming the file that could not be read or parsed.
    public init(certificateChainFile: String, privateKeyFile: String) throws(TLSSettingsError) {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateChainFile)
        } catch {
            throw TLSSettingsError(file: certificateChainFile, reason: "not a readable PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else {
            throw TLSSettingsError(file: certificateChainFile, reason: "no certificate in the file")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)
        } catch {
            throw TLSSettingsError(file: privateKeyFile, reason: "not a readable PEM private key (\(error))")
        }
        self.configuration = .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }
}

/// Why ``TLSSettings`` could not be made from PEM files.
public struct TLSSettingsError: Error, Sendable, CustomStringConvertible {
    /// The file at fault.
    public var file: String
    /// What is wrong with it.
    public var reason: String

    /// The file and what is wrong with it.
    public var description: String { "TLS: \(file): \(reason)" }
}
