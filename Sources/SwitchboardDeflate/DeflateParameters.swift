/// The permessage-deflate parameters agreed for one connection (RFC 7692 §7.1), the same for
/// both ends: the server reaches them with ``negotiate(offers:maxWindowBits:noContextTakeover:)``,
/// the client from the server's answer with ``DeflateOffer/accept(_:)``.
package struct DeflateParameters: Sendable, Equatable {
    /// The server resets its compressor after every message.
    package var serverNoContextTakeover: Bool
    /// The client resets its compressor after every message (so may the server's inflater).
    package var clientNoContextTakeover: Bool
    /// The window the server compresses with, 8 to 15.
    package var serverMaxWindowBits: Int
    /// The window the client compresses with, 8 to 15 (8: it sends nothing compressed, as zlib
    /// cannot compress with a 256-byte window).
    package var clientMaxWindowBits: Int
    /// Whether the server's answer carries `server_max_window_bits` (only when the client
    /// offered it).
    package var announcesServerMaxWindowBits: Bool

    /// Parameters as given.
    package init(
        serverNoContextTakeover: Bool, clientNoContextTakeover: Bool, serverMaxWindowBits: Int, clientMaxWindowBits: Int = 15,
        announcesServerMaxWindowBits: Bool = false
    ) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
        self.announcesServerMaxWindowBits = announcesServerMaxWindowBits
    }

    /// The `Sec-WebSocket-Extensions` value of the server's 101 answer.
    package var responseHeader: String {
        var header = "permessage-deflate"
        if serverNoContextTakeover { header += "; server_no_context_takeover" }
        if clientNoContextTakeover { header += "; client_no_context_takeover" }
        if announcesServerMaxWindowBits { header += "; server_max_window_bits=\(serverMaxWindowBits)" }
        return header
    }

    /// The server's side: the parameters of the first `permessage-deflate` offer in
    /// `headerValues` (the client's `Sec-WebSocket-Extensions` values) that a server
    /// compressing with at most `maxWindowBits` (clamped to 9…15), and resetting its compressor
    /// after every message when `noContextTakeover`, can honour; `nil` when there is none. An
    /// offer is declined when a parameter is unknown, repeated or has an invalid value, or when
    /// it asks for `server_max_window_bits=8`.
    package static func negotiate(offers headerValues: [String], maxWindowBits: Int, noContextTakeover: Bool) -> DeflateParameters? {
        for offer in ExtensionElement.parse(headerValues) where offer.name == "permessage-deflate" {
            if let parameters = accept(offer, maxWindowBits: maxWindowBits, noContextTakeover: noContextTakeover) { return parameters }
        }
        return nil
    }

    private static func accept(_ offer: ExtensionElement, maxWindowBits: Int, noContextTakeover: Bool) -> DeflateParameters? {
        let ownWindow = min(max(maxWindowBits, 9), 15)
        var parameters = DeflateParameters(
            serverNoContextTakeover: noContextTakeover, clientNoContextTakeover: false, serverMaxWindowBits: ownWindow
        )
        var seen: Set<String> = []
        for parameter in offer.parameters {
            guard !parameter.key.isEmpty, seen.insert(parameter.key).inserted else { return nil }
            switch parameter.key {
            case "server_no_context_takeover":
                guard parameter.value == nil else { return nil }
                parameters.serverNoContextTakeover = true
            case "client_no_context_takeover":
                guard parameter.value == nil else { return nil }
                parameters.clientNoContextTakeover = true
            case "server_max_window_bits":
                guard let bits = parameter.value.flatMap(ExtensionElement.windowBits), bits >= 9 else { return nil }
                parameters.serverMaxWindowBits = min(bits, ownWindow)
                parameters.announcesServerMaxWindowBits = true
            case "client_max_window_bits":
                // The server inflates with a 32 KiB window, enough for any client window: it
                // does not ask the client for a smaller one.
                if let value = parameter.value {
                    guard let bits = ExtensionElement.windowBits(value) else { return nil }
                    parameters.clientMaxWindowBits = bits
                }
            default:
                return nil
            }
        }
        return parameters
    }
}
