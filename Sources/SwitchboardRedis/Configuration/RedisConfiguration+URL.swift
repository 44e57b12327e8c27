extension RedisConfiguration {
    /// Why a Redis URL was refused (``init(url:)``).
    public struct URLError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The URL as given.
        public var url: String
        /// What is wrong with it.
        public var reason: String

        public var description: String { "invalid Redis URL \"\(url)\": \(reason)" }
    }

    /// A configuration from a URL: `redis://[[user]:password@]host[:port][/database]`, every
    /// other setting at its default. The port defaults to 6379, the database to 0.
    /// - Throws: ``URLError`` for another scheme, an empty host, or a port or database that
    ///   is not a number in range.
    public init(url: String) throws(URLError) {
        self.init()
        guard url.hasPrefix("redis://") else { throw URLError(url: url, reason: "the scheme must be redis://") }
        var rest = Substring(url.dropFirst("redis://".count))
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let database = Int(path), database >= 0 else { throw URLError(url: url, reason: "the database must be a number") }
                self.database = database
            }
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = credentials[..<colon]
                username = user.isEmpty ? nil : String(user)
                password = String(credentials[credentials.index(after: colon)...])
            } else {
                password = String(credentials)
            }
        }
        if let colon = rest.lastIndex(of: ":") {
            guard let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
                throw URLError(url: url, reason: "the port must be a number from 1 to 65535")
            }
            self.port = port
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { throw URLError(url: url, reason: "the host is empty") }
        host = String(rest)
    }
}
