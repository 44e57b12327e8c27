import SwitchboardDeflate

extension DeflateParameters {
    /// The parameters of the first client offer in `headerValues` a server with `settings` can
    /// honour (see ``DeflateParameters/negotiate(offers:maxWindowBits:noContextTakeover:)``).
    static func negotiate(offers headerValues: [String], settings: CompressionSettings) -> DeflateParameters? {
        negotiate(offers: headerValues, maxWindowBits: settings.maxWindowBits, noContextTakeover: settings.serverNoContextTakeover)
    }
}

extension PerMessageDeflateHandler {
    /// The server's handler for a connection that agreed to `parameters`, compressing as
    /// `settings` say and sharing compressed pushes through `cache`.
    convenience init(parameters: DeflateParameters, settings: CompressionSettings, maxMessageSize: Int, cache: SharedDeflateCache) {
        self.init(
            role: .server, parameters: parameters, minimumMessageSize: settings.minimumMessageSize, level: settings.level,
            memoryLevel: settings.memoryLevel, maxMessageSize: maxMessageSize, cache: cache
        )
    }
}
