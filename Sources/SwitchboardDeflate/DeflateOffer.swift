/// The client's side of the permessage-deflate negotiation (RFC 7692 §7.1): the offer it
/// sends, and the check of the server's answer.
package struct DeflateOffer: Sendable, Equatable {
    /// Why the server's answer cannot be accepted: the client fails the connection with
    /// ``code`` (RFC 6455 §4.1, RFC 7692 §5.1).
    package struct Refusal: Error, Sendable, Equatable {
        /// 1002 (protocol error) for an answer that breaks the RFC; 1010 (mandatory
        /// extension) when a parameter the client asked for is missing from the answer.
        package var code: UInt16
        /// What is wrong with the answer.
        package var reason: String

        /// A refusal with `code` and `reason`.
        package init(code: UInt16, reason: String) {
            self.code = code
            self.reason = reason
        }
    }

    /// The largest window the client compresses with, 9 to 15; the server may lower it.
    package var clientMaxWindowBits: Int
    /// The client resets its compressor after every message.
    package var clientNoContextTakeover: Bool
    /// Asks the server to reset its compressor after every message.
    package var serverNoContextTakeover: Bool
    /// Asks the server to compress with at most this window (9 to 15); `nil` asks nothing.
    package var serverMaxWindowBits: Int?

    /// An offer with the values given, window sizes clamped to 9…15.
    package init(clientMaxWindowBits: Int, clientNoContextTakeover: Bool, serverNoContextTakeover: Bool, serverMaxWindowBits: Int?) {
        self.clientMaxWindowBits = min(max(clientMaxWindowBits, 9), 15)
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverNoContextTakeover = serverNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits.map { min(max($0, 9), 15) }
    }

    /// The `Sec-WebSocket-Extensions` value of the upgrade request. `client_max_window_bits`
    /// is always offered (without a value at 15), so the server may ask for a smaller window.
    package var header: String {
        var header = "permessage-deflate"
        if clientNoContextTakeover { header += "; client_no_context_takeover" }
        if serverNoContextTakeover { header += "; server_no_context_takeover" }
        if let serverMaxWindowBits { header += "; server_max_window_bits=\(serverMaxWindowBits)" }
        header += clientMaxWindowBits == 15 ? "; client_max_window_bits" : "; client_max_window_bits=\(clientMaxWindowBits)"
        return header
    }

    /// The parameters the server's answer (its `Sec-WebSocket-Extensions` values) agrees to;
    /// `nil` when it answered with no extension (compression is off).
    /// - Throws: ``Refusal`` when the answer names another extension or more than one, has
    ///   an unknown, repeated or invalid parameter, a window above the one asked for, or lacks
    ///   `server_no_context_takeover` / `server_max_window_bits` when they were asked for.
    package func accept(_ headerValues: [String]) throws(Refusal) -> DeflateParameters? {
        let elements = ExtensionElement.parse(headerValues)
        guard let answer = elements.first else { return nil }
        guard elements.count == 1, answer.name == "permessage-deflate" else {
            let names = elements.map(\.name).joined(separator: ", ")
            throw Refusal(code: 1002, reason: "the server answered with the extensions \(names) where one permessage-deflate was offered")
        }
        var parameters = DeflateParameters(
            serverNoContextTakeover: false, clientNoContextTakeover: clientNoContextTakeover, serverMaxWindowBits: 15, clientMaxWindowBits: clientMaxWindowBits
        )
        var seen: Set<String> = []
        for parameter in answer.parameters {
            let key = parameter.key
            guard !key.isEmpty, seen.insert(key).inserted else {
                throw Refusal(code: 1002, reason: "the permessage-deflate answer has an empty or repeated parameter \(key)")
            }
            switch key {
            case "server_no_context_takeover", "client_no_context_takeover":
                guard parameter.value == nil else { throw Refusal(code: 1002, reason: "\(key) in the permessage-deflate answer has a value") }
                if key == "server_no_context_takeover" { parameters.serverNoContextTakeover = true } else { parameters.clientNoContextTakeover = true }
            case "server_max_window_bits":
                guard let bits = parameter.value.flatMap(ExtensionElement.windowBits) else {
                    throw Refusal(code: 1002, reason: "server_max_window_bits in the permessage-deflate answer is not 8 to 15")
                }
                if let asked = serverMaxWindowBits, bits > asked {
                    throw Refusal(code: 1002, reason: "server_max_window_bits=\(bits) in the permessage-deflate answer is above the \(asked) asked for")
                }
                parameters.serverMaxWindowBits = bits
            case "client_max_window_bits":
                guard let bits = parameter.value.flatMap(ExtensionElement.windowBits), bits <= clientMaxWindowBits else {
                    throw Refusal(code: 1002, reason: "client_max_window_bits in the permessage-deflate answer is not 8 to \(clientMaxWindowBits)")
                }
                parameters.clientMaxWindowBits = bits
            default:
                throw Refusal(code: 1002, reason: "the permessage-deflate answer has the unknown parameter \(key)")
            }
        }
        if serverNoContextTakeover && !parameters.serverNoContextTakeover {
            throw Refusal(code: 1010, reason: "the permessage-deflate answer lacks the server_no_context_takeover asked for")
        }
        if let asked = serverMaxWindowBits, !seen.contains("server_max_window_bits") {
            throw Refusal(code: 1010, reason: "the permessage-deflate answer lacks the server_max_window_bits=\(asked) asked for")
        }
        return parameters
    }
}
