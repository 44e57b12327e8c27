/// The bounds of one room's history: the oldest pushes are dropped once any is exceeded.
public struct HistoryLimits: Sendable, Hashable {
    /// The most pushes kept. Default 100.
    public var maxPushes: Int
    /// The most bytes of encoded push frames kept. Default 256 KiB.
    public var maxBytes: Int
    /// How long a push is kept. Default 5 minutes.
    public var maxAge: Duration

    /// Limits; the defaults are 100 pushes, 256 KiB, 5 minutes.
    public init(maxPushes: Int = 100, maxBytes: Int = 256 << 10, maxAge: Duration = .seconds(300)) {
        self.maxPushes = maxPushes
        self.maxBytes = maxBytes
        self.maxAge = maxAge
    }

    /// ``maxAge`` in milliseconds.
    var maxAgeMilliseconds: Int64 {
        let (seconds, attoseconds) = maxAge.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
