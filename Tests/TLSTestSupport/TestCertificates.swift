import Foundation
import NIOSSL
import Switchboard

/// A certificate authority and a server certificate it signed (for `localhost` and
/// `127.0.0.1` unless told otherwise), made with the `openssl` command in a temporary folder
/// when a test asks for them: no key material lives in the repository. Shared by the server's
/// and the client's test targets.
public struct TestCertificates: Sendable {
    /// An `openssl` command that failed, with its output.
    public enum Failure: Error, CustomStringConvertible {
        /// The command's arguments and output.
        case openssl(arguments: [String], output: String)
        /// The command and its output.
        public var description: String {
            switch self {
            case .openssl(let arguments, let output): "openssl \(arguments.joined(separator: " ")) failed: \(output)"
            }
        }
    }

    /// The folder holding every file below.
    public let folder: URL
    /// The CA's certificate (PEM): what a client trusts.
    public var authorityCertificate: String { folder.appendingPathComponent("ca.pem").path }
    /// The server's certificate chain (PEM): its own certificate, then the CA's.
    public var serverCertificateChain: String { folder.appendingPathComponent("server-chain.pem").path }
    /// The server's private key (PEM).
    public var serverPrivateKey: String { folder.appendingPathComponent("server.key").path }

    /// Makes a new CA and a server certificate valid for a day for `subjectAltName` (OpenSSL's
    /// syntax, e.g. `DNS:localhost, IP:127.0.0.1`).
    public static func make(subjectAltName: String = "DNS:localhost, IP:127.0.0.1") throws -> TestCertificates {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        try """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = \(subjectAltName)
            """.write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + curve + [
            "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "1", "-subj", "/CN=Switchboard Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try openssl(["req"] + curve + ["-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost"])
        try openssl([
            "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
            "-out", path("server.pem"), "-days", "1", "-extfile", path("server.ext"),
        ])
        let chain = try String(contentsOfFile: path("server.pem"), encoding: .utf8) + String(contentsOfFile: path("ca.pem"), encoding: .utf8)
        try chain.write(toFile: path("server-chain.pem"), atomically: true, encoding: .utf8)
        return TestCertificates(folder: folder)
    }

    /// The server's ``TLSSettings`` from the PEM files.
    public func serverSettings() throws -> TLSSettings {
        try TLSSettings(certificateChainFile: serverCertificateChain, privateKeyFile: serverPrivateKey)
    }

    /// A client context trusting this CA only (or the system's roots when `trustingAuthority`
    /// is `false`, which do not include it).
    public func clientContext(trustingAuthority: Bool = true) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if trustingAuthority {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(authorityCertificate))
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// Deletes the folder.
    public func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure.openssl(arguments: arguments, output: text) }
    }
}
