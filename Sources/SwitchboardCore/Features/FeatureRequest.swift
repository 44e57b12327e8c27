/// A feature a connection asked for at the handshake, on its stream.
public struct FeatureRequest: Sendable {
    /// The feature.
    public let feature: any Feature
    /// The stream it should serve.
    public let stream: StreamName

    /// A request.
    public init(feature: any Feature, stream: StreamName) {
        self.feature = feature
        self.stream = stream
    }
}

/// The features a handshake asked for: the known ones to open, and the unknown names, which
/// are ignored (the server may log them) as long as one known feature was asked for.
public struct FeatureHandshake: Sendable {
    /// Known features with their streams, in the order asked, duplicates removed.
    public var requests: [FeatureRequest]
    /// Names that match no feature.
    public var unknownNames: [String]

    /// A handshake outcome.
    public init(requests: [FeatureRequest], unknownNames: [String]) {
        self.requests = requests
        self.unknownNames = unknownNames
    }
}
