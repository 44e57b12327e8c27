import NIOCore
import Synchronization

/// A value of which there is one per event loop, made on that loop the first time it is asked
/// for there (a loop's ping timer, a loop's task executor): the connections of a loop share it
/// instead of each making its own.
final class PerEventLoop<Value>: Sendable {
    private let make: @Sendable (any EventLoop) -> Value
    private let values = Mutex<[ObjectIdentifier: NIOLoopBound<Value>]>([:])

    init(_ make: @escaping @Sendable (any EventLoop) -> Value) {
        self.make = make
    }

    /// The value of `eventLoop`. Call on `eventLoop`.
    func value(on eventLoop: any EventLoop) -> Value {
        values.withLock { values in
            if let value = values[ObjectIdentifier(eventLoop)] { return value.value }
            let value = make(eventLoop)
            values[ObjectIdentifier(eventLoop)] = NIOLoopBound(value, eventLoop: eventLoop)
            return value
        }
    }
}
