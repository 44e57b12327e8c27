public import SwitchboardRedis

/// Every setting of a ``RedisClusterBus``, with documented defaults. A node needs only the
/// Redis URL: every other node is found through Redis.
public struct ClusterConfiguration: Sendable {
    /// The Redis server every node shares.
    public var redis: RedisConfiguration
    /// This node's id, unique in the cluster and without spaces: its pub/sub channel, its
    /// entries in Redis and its connection ids carry it. Default: `node-` and 12 random hex
    /// digits, new at every start.
    public var nodeId: String = "node-" + String(UInt64.random(in: 0...UInt64.max) >> 16, radix: 16)
    /// The prefix of every Redis key and channel the cluster uses, so several clusters can
    /// share one Redis. Default `switchboard:`.
    public var keyPrefix: String = "switchboard:"
    /// How long this node's entries (its lease, its connections, its rooms) live in Redis
    /// unless refreshed: a node that dies is forgotten this long after its last heartbeat.
    /// Default 10 s.
    public var lease: Duration = .seconds(10)
    /// How often the node refreshes its entries. Default a third of ``lease``.
    public var heartbeatInterval: Duration? = nil
    /// How long a node waits for Redis when it must load a room's shared history (a join or a
    /// resume on a room it does not hold yet); past it, the room gets a history of its own,
    /// with a new epoch, until Redis answers again. Default 2 s.
    public var loadTimeout: Duration = .seconds(2)

    /// A configuration for the Redis server at `redis`.
    public init(redis: RedisConfiguration) {
        self.redis = redis
    }

    /// A configuration for the Redis server at `url` (`redis://host:port[/db]`).
    /// - Throws: `RedisConfiguration.URLError` for an invalid URL.
    public init(redisURL url: String) throws(RedisConfiguration.URLError) {
        self.init(redis: try RedisConfiguration(url: url))
    }

    /// ``heartbeatInterval``, or a third of ``lease``.
    var effectiveHeartbeat: Duration { heartbeatInterval ?? lease / 3 }

    /// ``lease`` in milliseconds.
    var leaseMilliseconds: Int64 { Self.milliseconds(lease) }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
