/// Why a connection's feature request is refused: the server closes the WebSocket with
/// ``closeCode`` (1008, policy violation) and ``closeReason``.
public enum FeatureHandshakeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The set requires features and the query named none.
    case noFeaturesRequested(known: [String])
    /// Every feature named is unknown.
    case noKnownFeature(requested: [String], known: [String])
    /// A known feature was named without `@stream`.
    case missingStream(feature: String)
    /// A known feature's stream is not a valid stream name.
    case invalidStream(feature: String, stream: String, StreamNameError)
    /// An item of the list is not `name@stream`, e.g. `@board:7:chat`.
    case malformedItem(String)
    /// The room access policy refused the stream's room to this connection.
    case forbidden(feature: String, stream: String, reason: String)

    /// The WebSocket close code: 1008 (policy violation).
    public var closeCode: UInt16 { 1008 }

    /// ``description`` cut to the 123 bytes a close frame can carry, at a character boundary.
    public var closeReason: String {
        let text = description
        guard text.utf8.count > 123 else { return text }
        var out = ""
        var size = 0
        for character in text {
            let length = character.utf8.count
            if size + length > 120 { break }
            out.append(character)
            size += length
        }
        return out + "..."
    }

    public var description: String {
        switch self {
        case .noFeaturesRequested(let known):
            "no features requested: use ?features=name@type:id:field (known: \(known.joined(separator: ", ")))"
        case .noKnownFeature(let requested, let known):
            "no known feature in \(requested.joined(separator: ", ")) (known: \(known.joined(separator: ", ")))"
        case .missingStream(let feature):
            "feature '\(feature)' has no stream: use \(feature)@type:id:field"
        case .invalidStream(let feature, let stream, let error):
            "feature '\(feature)': invalid stream '\(stream)': \(error)"
        case .malformedItem(let item):
            "malformed feature '\(item)': use name@type:id:field"
        case .forbidden(let feature, let stream, let reason):
            "feature '\(feature)' on '\(stream)' refused: \(reason)"
        }
    }
}
