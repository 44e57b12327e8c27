/// The permessage-deflate parameters agreed for one connection (RFC 7692 §7.1).
struct DeflateParameters: Sendable, Equatable {
    /// The server resets its compressor after every message.
    var serverNoContextTakeover: Bool
    /// The client resets its compressor after every message (so may the server's inflater).
    var clientNoContextTakeover: Bool
    /// The window the server compresses with, 9 to 15.
    var serverMaxWindowBits: Int
    /// Whether the answer carries `server_max_window_bits` (only when the client offered it).
    var announcesServerMaxWindowBits: Bool

    /// The `Sec-WebSocket-Extensions` value of the 101 answer.
    var responseHeader: String {
        var header = "permessage-deflate"
        if serverNoContextTakeover { header += "; server_no_context_takeover" }
        if clientNoContextTakeover { header += "; client_no_context_takeover" }
        if announcesServerMaxWindowBits { header += "; server_max_window_bits=\(serverMaxWindowBits)" }
        return header
    }

    /// The parameters of the first `permessage-deflate` offer in `headerValues` (the client's
    /// `Sec-WebSocket-Extensions` values) that the server can honour under `settings`, or
    /// `nil` when there is none. An offer is declined when a parameter is unknown, repeated or
    /// has an invalid value, or when it asks for `server_max_window_bits=8`.
    static func negotiate(offers headerValues: [String], settings: CompressionSettings) -> DeflateParameters? {
        for value in headerValues {
            for offer in value.split(separator: ",") {
                if let parameters = accept(offer, settings: settings) { return parameters }
            }
        }
        return nil
    }

    private static func accept(_ offer: Substring, settings: CompressionSettings) -> DeflateParameters? {
        let parts = offer.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        guard let name = parts.first, name.lowercased() == "permessage-deflate" else { return nil }
        let ownWindow = min(max(settings.maxWindowBits, 9), 15)
        var parameters = DeflateParameters(
            serverNoContextTakeover: settings.serverNoContextTakeover, clientNoContextTakeover: false,
            serverMaxWindowBits: ownWindow, announcesServerMaxWindowBits: false
        )
        var seen: Set<String> = []
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
            guard let key = pair.first?.lowercased(), !key.isEmpty, seen.insert(key).inserted else { return nil }
            let value = pair.count == 2 ? unquoted(pair[1]) : nil
            switch key {
            case "server_no_context_takeover":
                guard value == nil else { return nil }
                parameters.serverNoContextTakeover = true
            case "client_no_context_takeover":
                guard value == nil else { return nil }
                parameters.clientNoContextTakeover = true
            case "server_max_window_bits":
                guard let bits = value.flatMap(windowBits), bits >= 9 else { return nil }
                parameters.serverMaxWindowBits = min(bits, ownWindow)
                parameters.announcesServerMaxWindowBits = true
            case "client_max_window_bits":
                // The server inflates with a 32 KiB window, enough for any client window: it
                // does not ask the client for a smaller one.
                if let value, windowBits(value) == nil { return nil }
            default:
                return nil
            }
        }
        return parameters
    }

    /// A window size parameter's value: 8 to 15, digits only, no leading zero.
    private static func windowBits(_ text: Substring) -> Int? {
        guard let first = text.first, first != "0", text.allSatisfy({ $0.isASCII && $0.isNumber }), let bits = Int(text), (8...15).contains(bits) else {
            return nil
        }
        return bits
    }

    private static func unquoted(_ text: Substring) -> Substring {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        return text.dropFirst().dropLast()
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
