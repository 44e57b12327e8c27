/// The default ``DeliveryClass`` and the ``HistoryLimits`` of every room, by room pattern.
///
/// ```swift
/// var policy = DeliveryPolicy()                                   // reliable, 100 / 256 KiB / 5 min
/// policy.set(.family(RoomName.family("cursor")), delivery: .latest(key: ""))
/// policy.set(.prefix("typing-"), delivery: .volatile)
/// policy.set(.family(RoomName.board), limits: HistoryLimits(maxPushes: 1_000))
/// ```
/// The first rule (in the order set) whose pattern matches a room decides; rooms no rule
/// matches use ``defaultDelivery`` and ``defaultLimits``.
public struct DeliveryPolicy: Sendable {
    /// One rule: rooms, their default class and their history limits.
    public struct Rule: Sendable, Hashable {
        /// The rooms it applies to.
        public var rooms: RoomPattern
        /// Their pushes' class when a push names none.
        public var delivery: DeliveryClass
        /// Their history's bounds.
        public var limits: HistoryLimits

        /// A rule.
        public init(rooms: RoomPattern, delivery: DeliveryClass, limits: HistoryLimits) {
            self.rooms = rooms
            self.delivery = delivery
            self.limits = limits
        }
    }

    /// The class of pushes to rooms no rule matches. Default ``DeliveryClass/reliable``.
    public var defaultDelivery: DeliveryClass = .reliable
    /// The history limits of rooms no rule matches. Default 100 pushes, 256 KiB, 5 minutes.
    public var defaultLimits = HistoryLimits()
    /// The rules, first match wins.
    public var rules: [Rule] = []
    /// The most bytes of push frames kept by all rooms' histories together. Default 64 MiB.
    /// Past it, the histories of the least recently used rooms (by last push, subscribe, join or
    /// resume) are dropped whole until the total is at most 7/8 of it (so that the next drop is
    /// an eighth of the bound away, not at the next push): such a room gets a new epoch on its next
    /// use, so its clients are told `recovered:false` (an epoch change), never left with a silent
    /// gap. The room being pushed to is never dropped for its own push.
    public var maxTotalBytes = 64 << 20

    /// Every room reliable with the default limits.
    public init() {}

    /// Adds a rule for `rooms`; what it leaves out (`nil`) is the policy's default.
    public mutating func set(_ rooms: RoomPattern, delivery: DeliveryClass? = nil, limits: HistoryLimits? = nil) {
        rules.append(Rule(rooms: rooms, delivery: delivery ?? defaultDelivery, limits: limits ?? defaultLimits))
    }

    /// The default class of pushes to `room`.
    public func delivery(for room: RoomName) -> DeliveryClass {
        rules.first { $0.rooms.matches(room) }?.delivery ?? defaultDelivery
    }

    /// The history limits of `room`.
    public func limits(for room: RoomName) -> HistoryLimits {
        rules.first { $0.rooms.matches(room) }?.limits ?? defaultLimits
    }
}
